import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Delivery, ErrorTurn, ModelTurn } from './script';
import { type ModelReply, type ParsedModelRequest, type TokenUsage, type WireProtocol, randomIdentifier } from './wire-protocol';

/** Usage reported when a turn gives none. */
export const DEFAULT_USAGE: TokenUsage = { inputTokens: 100, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

/** Where and how to send one turn. */
export interface TurnTarget {
  response: ServerResponse;
  wire: WireProtocol;
  request: ParsedModelRequest;
  /** Aborted when the server closes: pending delays stop at once. */
  signal: AbortSignal;
}

/** Waits, unless the server closes or the client leaves first; then reports that delivery must stop. */
async function pause(milliseconds: number, target: TurnTarget): Promise<boolean> {
  if (milliseconds > 0) {
    try {
      await sleep(milliseconds, undefined, { signal: target.signal });
    } catch {
      return false;
    }
  }
  return !target.response.destroyed;
}

/** Sends an error turn with its status, retry headers and the provider's error body. */
export function sendError(turn: ErrorTurn, target: Omit<TurnTarget, 'request' | 'signal'>): void {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    [target.wire.requestIdHeader]: randomIdentifier('req_'),
    ...(turn.retryAfterSeconds !== undefined && { 'retry-after': String(turn.retryAfterSeconds) }),
    ...(turn.retryAfterMilliseconds !== undefined && { 'retry-after-ms': String(turn.retryAfterMilliseconds) }),
    ...turn.headers,
  };
  const message = turn.message ?? `Scripted error: HTTP ${turn.status}`;
  const body = target.wire.renderError({ status: turn.status, message, errorType: turn.errorType, code: turn.code });
  target.response.writeHead(turn.status, headers).end(JSON.stringify(body));
}

/** Destroys the connection once what was written so far has reached the client. */
async function cut(response: ServerResponse): Promise<void> {
  const socket = response.socket;
  if (!socket) return;
  await new Promise<void>((resolve) => socket.write('', () => resolve()));
  socket.destroy();
}

async function sendStream(frames: string[], delivery: Delivery, target: TurnTarget): Promise<void> {
  const { response } = target;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    [target.wire.requestIdHeader]: randomIdentifier('req_'),
  });
  response.flushHeaders();
  for (const [index, frame] of frames.entries()) {
    if (!(await pause(delivery.chunkDelayMilliseconds ?? 0, target))) return;
    if (delivery.cutAfterChunks !== undefined && index >= delivery.cutAfterChunks) {
      await cut(response);
      return;
    }
    response.write(frame);
  }
  response.end();
}

async function sendJson(body: unknown, delivery: Delivery, target: TurnTarget): Promise<void> {
  const text = JSON.stringify(body);
  if (!(await pause(delivery.chunkDelayMilliseconds ?? 0, target))) return;
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    [target.wire.requestIdHeader]: randomIdentifier('req_'),
  };
  if (delivery.cutAfterChunks === undefined) {
    target.response.writeHead(200, headers).end(text);
    return;
  }
  // Promise the whole body, send half, then drop the connection.
  target.response.writeHead(200, headers).write(text.slice(0, Math.floor(text.length / 2)));
  await cut(target.response);
}

/**
 * Answers one model request with one turn, in the request's wire format: JSON or a stream,
 * slowed or cut as the turn says. A hang sends nothing; closing the server ends it.
 */
export async function sendTurn(turn: ModelTurn, target: TurnTarget): Promise<void> {
  if (turn.type === 'hang') return;
  if (turn.type === 'error') {
    sendError(turn, target);
    return;
  }
  const reply: ModelReply = {
    text: turn.text,
    toolCall: turn.type === 'tool-call' ? { name: turn.name, input: turn.input } : undefined,
    usage: { ...DEFAULT_USAGE, ...turn.usage },
  };
  if (target.request.stream) await sendStream(target.wire.renderStream(reply, target.request), turn, target);
  else await sendJson(target.wire.renderJson(reply, target.request), turn, target);
}
