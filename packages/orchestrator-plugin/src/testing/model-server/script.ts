import type { Conversation, ModelApi, TokenUsage } from './wire-protocol';

/** How a reply is delivered: slowly, or cut off part-way. */
export interface Delivery {
  /** Pause before each streamed event (non-streaming: once, before the body). */
  chunkDelayMilliseconds?: number;
  /**
   * Destroy the socket after this many streamed events (non-streaming: after half the body),
   * so the client sees a connection cut mid-reply.
   */
  cutAfterChunks?: number;
}

/** Reply with text. */
export interface TextTurn extends Delivery {
  type: 'text';
  text: string;
  usage?: Partial<TokenUsage>;
}

/**
 * Reply with a tool call (optionally after some text). The client runs the tool and sends the
 * result in its next request, which the next turn answers (usually a final text).
 */
export interface ToolCallTurn extends Delivery {
  type: 'tool-call';
  /** The client's tool name: claude `Write`, codex `exec_command`, gemini `write_file`. */
  name: string;
  input: Record<string, unknown>;
  text?: string;
  usage?: Partial<TokenUsage>;
}

/** Reply with an HTTP error in the provider's own error shape. */
export interface ErrorTurn {
  type: 'error';
  status: number;
  /** Default: a message naming the status. */
  message?: string;
  /** Provider error type; default by status (`rate_limit_error`, `server_error`, `RESOURCE_EXHAUSTED`). */
  errorType?: string;
  /** OpenAI error `code`; default by status. */
  code?: string;
  /** Sent as `retry-after` (seconds). */
  retryAfterSeconds?: number;
  /** Sent as `retry-after-ms`. */
  retryAfterMilliseconds?: number;
  /** Any further response headers, e.g. `x-should-retry`. */
  headers?: Record<string, string>;
}

/** Never answer: the request stays open until the client gives up or the server closes. */
export interface HangTurn {
  type: 'hang';
}

/** One scripted answer to one model request. */
export type ModelTurn = TextTurn | ToolCallTurn | ErrorTurn | HangTurn;

/** What a rule needs to know about a request to decide whether it applies. */
export interface MatchableRequest {
  api?: ModelApi;
  model?: string;
  conversation?: Conversation;
}

/** Conditions on a request; all given conditions must hold. */
export interface RequestMatcher {
  api?: ModelApi;
  /** The requested model contains this text. */
  model?: string;
  /** Some user message of the conversation contains this text; still true for follow-ups after a tool result. */
  userTextIncludes?: string;
  /** The last user message with text contains this text. */
  lastUserTextIncludes?: string;
  /** The request does (true) or does not (false) end with a tool result. */
  afterToolResult?: boolean;
  /** Anything else. */
  test?: (request: MatchableRequest) => boolean;
}

/** Turns served, in order, to the requests a matcher selects. */
export interface ScriptRule {
  when: RequestMatcher;
  turns: ModelTurn[];
}

/**
 * The first turns of each key (a task, say), before any rule: e.g. a 429 storm where the first
 * two requests of every task are rate limited.
 */
export interface TurnsPerKey {
  /** The key of a request (e.g. the task named in its prompt); undefined: not counted. */
  key: (request: MatchableRequest) => string | undefined;
  /** Served, in order, to the first requests of each key. */
  turns: ModelTurn[];
}

/** The whole script of one server. */
export interface ModelScript {
  /** Served first to each key's first requests (see {@link TurnsPerKey}). */
  firstTurnsPerKey?: TurnsPerKey;
  /** Tried in order; the first whose `when` holds answers the request, even once its turns are used up. */
  rules?: ScriptRule[];
  /** Turns for requests no rule selects. */
  turns?: ModelTurn[];
  /** Answer once a queue is used up, so clients never hang. Default: `Done.` */
  defaultText?: string;
}

/** Picks the turn for each request; keeps which turns have been used. */
export interface TurnSelector {
  next(request: MatchableRequest): ModelTurn;
}

/** Whether a request meets every condition of a matcher. */
export function matchesRequest(matcher: RequestMatcher, request: MatchableRequest): boolean {
  const userTexts = request.conversation?.userTexts ?? [];
  if (matcher.api !== undefined && request.api !== matcher.api) return false;
  if (matcher.model !== undefined && !(request.model ?? '').includes(matcher.model)) return false;
  if (matcher.userTextIncludes !== undefined && !userTexts.some((text) => text.includes(matcher.userTextIncludes as string))) {
    return false;
  }
  if (matcher.lastUserTextIncludes !== undefined && !(userTexts.at(-1) ?? '').includes(matcher.lastUserTextIncludes)) return false;
  if (matcher.afterToolResult !== undefined && (request.conversation?.endsWithToolResult ?? false) !== matcher.afterToolResult) {
    return false;
  }
  return matcher.test === undefined || matcher.test(request);
}

/**
 * A selector over a script: each request takes its key's next first turn while there is one
 * (firstTurnsPerKey), else the next turn of the first matching rule, or of the default queue,
 * or the default text once that queue is used up. A bare array of turns
 * is a script with only a default queue.
 */
export function createTurnSelector(script: ModelScript | ModelTurn[]): TurnSelector {
  const normalized: ModelScript = Array.isArray(script) ? { turns: script } : script;
  const queues = (normalized.rules ?? []).map((rule) => ({ when: rule.when, turns: [...rule.turns] }));
  const defaultQueue = [...(normalized.turns ?? [])];
  const fallback: TextTurn = { type: 'text', text: normalized.defaultText ?? 'Done.' };
  const servedPerKey = new Map<string, number>();
  return {
    next(request) {
      const perKey = normalized.firstTurnsPerKey;
      const key = perKey?.key(request);
      if (perKey && key !== undefined) {
        const served = servedPerKey.get(key) ?? 0;
        servedPerKey.set(key, served + 1);
        if (served < perKey.turns.length) return perKey.turns[served];
      }
      const queue = queues.find((rule) => matchesRequest(rule.when, request))?.turns ?? defaultQueue;
      return queue.shift() ?? fallback;
    },
  };
}
