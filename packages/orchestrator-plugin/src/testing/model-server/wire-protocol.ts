import { randomBytes } from 'node:crypto';

/** The model APIs the scripted server speaks. */
export type ModelApi = 'anthropic-messages' | 'openai-chat' | 'openai-responses' | 'gemini';

/**
 * Token counts of one reply. `inputTokens` excludes cached tokens, as Anthropic reports it;
 * OpenAI and Gemini wires report the whole prompt (input + cache read + cache creation)
 * with the cache read as its cached part.
 */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** What a request carries, read the same way for every API. */
export interface Conversation {
  /** System prompt text (system, developer, instructions, systemInstruction). */
  system: string;
  /** Text of each user message in order (tool results excluded). */
  userTexts: string[];
  /** Text of each tool result the client sent back, in order. */
  toolResults: string[];
  /** Whether the last message is a tool result: the client continues after a tool call. */
  endsWithToolResult: boolean;
}

/** A request read by its wire: what was asked for and how. */
export interface ParsedModelRequest {
  model: string;
  stream: boolean;
  conversation: Conversation;
  /** The JSON body as sent. */
  body: Record<string, unknown>;
}

/** A successful reply, ready for a wire to render. */
export interface ModelReply {
  text?: string;
  toolCall?: { name: string; input: Record<string, unknown> };
  usage: TokenUsage;
}

/** An error reply, ready for a wire to render in the provider's own error shape. */
export interface ErrorReply {
  status: number;
  message: string;
  /** Provider error type (`rate_limit_error`, `server_error`, `RESOURCE_EXHAUSTED`); default by status. */
  errorType?: string;
  /** OpenAI `code` (`rate_limit_exceeded`, `invalid_api_key`); default by status. */
  code?: string;
}

/** One provider's wire format: reading requests and rendering replies. */
export interface WireProtocol {
  readonly api: ModelApi;
  /** Header carrying the request id on every response (`request-id`, `x-request-id`). */
  readonly requestIdHeader: string;
  /** Reads a request body; `path` carries the model and streaming mode for Gemini. */
  readRequest(body: Record<string, unknown>, path: string): ParsedModelRequest;
  /** The non-streaming JSON body of a reply. */
  renderJson(reply: ModelReply, request: ParsedModelRequest): unknown;
  /** The streaming body of a reply as framed server-sent events, one string per event. */
  renderStream(reply: ModelReply, request: ParsedModelRequest): string[];
  /** The JSON body of an error. */
  renderError(error: ErrorReply): unknown;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random id with the provider's prefix, e.g. `msg_01Xf...`, `call_...`. */
export function randomIdentifier(prefix: string, length = 24): string {
  const bytes = randomBytes(length);
  let suffix = '';
  for (const byte of bytes) suffix += ALPHABET[byte % ALPHABET.length];
  return prefix + suffix;
}

/** Splits text into pieces of at most `size` characters (code points, never half a surrogate pair). */
export function splitIntoChunks(text: string, size = 16): string[] {
  const characters = Array.from(text);
  const chunks: string[] = [];
  for (let start = 0; start < characters.length; start += size) {
    chunks.push(characters.slice(start, start + size).join(''));
  }
  return chunks;
}

/** Text of a message content in any provider's shape: a string, or parts with `text` / nested `content`. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content
      .map(textOf)
      .filter((text) => text !== '')
      .join('\n');
  if (isRecord(content)) {
    if (typeof content.text === 'string') return content.text;
    if ('content' in content) return textOf(content.content);
  }
  return '';
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a request whose body names the model and asks for streaming with `stream: true`, as the
 * Anthropic Messages and both OpenAI APIs do (Gemini says both in the path instead).
 */
export function readBodyRequest(
  body: Record<string, unknown>,
  defaultModel: string,
  readConversation: (body: Record<string, unknown>) => Conversation,
): ParsedModelRequest {
  return { model: String(body.model ?? defaultModel), stream: body.stream === true, conversation: readConversation(body), body };
}

/**
 * The whole prompt of a reply as OpenAI and Gemini count it: uncached input, cache reads and
 * cache writes together (Anthropic reports the three apart).
 */
export function promptTokenCount(usage: TokenUsage): number {
  return usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
}

/** Unix time in seconds, as OpenAI's `created` fields carry it. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1_000);
}
