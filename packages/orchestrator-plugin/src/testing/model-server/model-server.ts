import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { type Route, resolveRoute } from './resolve-route';
import { type ModelScript, type ModelTurn, createTurnSelector } from './script';
import { sendError, sendTurn } from './send-turn';
import { type Conversation, type ModelApi, isRecord } from './wire-protocol';

/** One request as the server received it. */
export interface RecordedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  /** The path with its query string, as sent (`/v1/messages?beta=true`). */
  url: string;
  /** As received, secrets included, so tests can check what the client sent. */
  headers: IncomingHttpHeaders;
  /** The JSON body, or `undefined` when empty or not JSON. */
  body: unknown;
  rawBody: string;
  route: Route['kind'];
  /** Set for model requests and token counts. */
  api?: ModelApi;
  model?: string;
  stream?: boolean;
  conversation?: Conversation;
  /** The scripted turn that answered a model request. */
  turn?: ModelTurn;
  /** Epoch ms when the request arrived (its body read). */
  receivedAt: number;
  /** Epoch ms when its answer was complete or the connection closed (model requests). */
  answeredAt?: number;
  /** Model requests being answered when it arrived, itself included: the server's own concurrency log. */
  concurrentAtArrival?: number;
}

/** A running scripted model server. */
export interface ModelServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. OpenAI clients want `${url}/v1`. */
  url: string;
  port: number;
  /** Every request received, in arrival order, recorded before it is answered. */
  requests: RecordedRequest[];
  /** The most model requests the server was answering at once. */
  readonly mostConcurrent: number;
  /** Stops listening and destroys open sockets, hung requests included. Safe to call twice. */
  close(): Promise<void>;
}

const BODY_DECODERS: Record<string, (buffer: Buffer) => Buffer> = {
  gzip: gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const buffer = Buffer.concat(chunks);
  const decode = BODY_DECODERS[String(request.headers['content-encoding'] ?? '').toLowerCase()];
  return (decode ? decode(buffer) : buffer).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendNotFound(response: ServerResponse, route: Extract<Route, { kind: 'not-found' }>, recorded: RecordedRequest): void {
  const message = `No scripted route for ${recorded.method} ${recorded.path}`;
  if (route.wire) {
    sendError({ type: 'error', status: 404, message }, { response, wire: route.wire });
    return;
  }
  // Readable as an error by both the Anthropic and the OpenAI SDKs.
  sendJson(response, 404, { type: 'error', error: { type: 'not_found_error', message, param: null, code: 'not_found' } });
}

/**
 * Starts a scripted model server on 127.0.0.1 at a random port. It speaks the Anthropic
 * Messages API, OpenAI Chat Completions and Responses, and Gemini generateContent, and
 * answers each model request with the next turn of `script` (see {@link ModelScript}).
 */
export async function startModelServer(script: ModelScript | ModelTurn[] = {}): Promise<ModelServer> {
  const selector = createTurnSelector(script);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  let answering = 0;
  let mostConcurrent = 0;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '/';
    const path = url.split('?')[0];
    const method = request.method ?? 'GET';
    const rawBody = await readBody(request);
    const body = parseJson(rawBody);
    const route = resolveRoute(method, path);
    const recorded: RecordedRequest = { method, path, url, headers: request.headers, body, rawBody, route: route.kind, receivedAt: Date.now() };
    requests.push(recorded);

    if (route.kind === 'health') {
      if (method === 'HEAD') response.writeHead(200).end();
      else sendJson(response, 200, { status: 'ok' });
      return;
    }
    if (route.kind === 'not-found') {
      sendNotFound(response, route, recorded);
      return;
    }
    if (!isRecord(body)) {
      sendError({ type: 'error', status: 400, message: 'The request body must be a JSON object.' }, { response, wire: route.wire });
      return;
    }
    const parsed = route.wire.readRequest(body, path);
    Object.assign(recorded, { api: route.wire.api, model: parsed.model, stream: parsed.stream, conversation: parsed.conversation });
    if (route.kind === 'count-tokens') {
      const tokens = Math.ceil(rawBody.length / 4);
      sendJson(response, 200, route.wire.api === 'gemini' ? { totalTokens: tokens } : { input_tokens: tokens });
      return;
    }
    answering++;
    mostConcurrent = Math.max(mostConcurrent, answering);
    recorded.concurrentAtArrival = answering;
    response.once('close', () => {
      answering--;
      recorded.answeredAt = Date.now();
    });
    recorded.turn = selector.next(recorded);
    await sendTurn(recorded.turn, { response, wire: route.wire, request: parsed, signal: closing.signal });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) response.destroy();
      else sendJson(response, 500, { error: { message: `Scripted model server failed: ${String(error)}` } });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    get mostConcurrent() {
      return mostConcurrent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
