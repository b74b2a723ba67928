import { AgentError } from '../agent-adapter';
import { httpAgentError, parseRetryAfter } from '../http-errors';

/** What the error mapping needs to know about the failed call. */
export interface ModelApiErrorContext {
  /** `Anthropic`, `OpenAI`: how messages name the service. */
  provider: string;
  /** The variable whose value was sent as the key, named in 401 messages. */
  keyVariable: string;
  /** Where the requests went, named in connection errors. */
  baseUrl: string;
  signal: AbortSignal;
  /** Values that must never reach a message (the key): replaced by `***`. */
  secrets?: readonly string[];
}

type HeadersLike = { get(name: string): string | null | undefined };

// Causes and messages of a response body that stopped part-way (undici, Node streams, the SDKs' SSE readers).
const CUT_STREAM_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_BODY_TIMEOUT']);
const CUT_STREAM_MESSAGE = /\bterminated$|premature close|other side closed|socket hang up|stream ended|ended without|unexpected end of json/i;

/**
 * The class names along an error's prototype chain. Both SDKs set no `name` on their errors,
 * and under test runners their classes can come from another module realm, so matching on
 * the names is steadier than `instanceof` (an openai timeout can even surface as a plain
 * APIConnectionError there).
 */
function classNames(error: unknown): string[] {
  const names: string[] = [];
  for (let prototype = Object.getPrototypeOf(error ?? {}); prototype && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype)) {
    names.push(String(prototype.constructor?.name ?? ''));
  }
  return names;
}

/** The service's own explanation from an SDK error body (Anthropic `{error:{message}}`, OpenAI `{message}`). */
function apiDetail(error: Record<string, unknown>): string {
  const body = error.error as Record<string, unknown> | undefined;
  const nested = body?.error as Record<string, unknown> | undefined;
  const message = nested?.message ?? body?.message ?? error.message;
  return typeof message === 'string' ? message.replace(/^\d{3}\s+/, '') : '';
}

function causeChain(error: unknown): Array<{ code?: string; message?: string; name?: string }> {
  const chain: Array<{ code?: string; message?: string; name?: string }> = [];
  for (let current = error as { cause?: unknown } | undefined; current && chain.length < 5; current = current.cause as { cause?: unknown } | undefined) {
    chain.push(current as { code?: string; message?: string; name?: string });
  }
  return chain;
}

/** The response headers as a plain record (the SDKs hand over a Headers object); undefined without any. */
function headerRecord(headers: HeadersLike | undefined): Record<string, string> | undefined {
  const entries = (headers as { entries?: () => Iterable<[string, string]> } | undefined)?.entries;
  return typeof entries === 'function' ? Object.fromEntries(entries.call(headers)) : undefined;
}

function redact(text: string, secrets: readonly string[] = []): string {
  return secrets.filter((secret) => secret.length >= 4).reduce((result, secret) => result.split(secret).join('***'), text);
}

/**
 * Turns anything an SDK call threw into an AgentError the caller's retry layer can act on:
 * an abort is final; an HTTP status is classified by status (429, 408, 409 and 5xx retryable,
 * with the server's retry-after, and `x-should-retry` when the server sends it); a connection
 * failure, timeout or a stream cut part-way is retryable; anything else is final.
 */
export function toModelApiError(error: unknown, context: ModelApiErrorContext): AgentError {
  if (AgentError.isInstance(error)) return error;
  const names = classNames(error);
  const record = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const rawMessage = typeof record.message === 'string' ? record.message : String(error);
  const clean = (text: string) => redact(text, context.secrets);

  if (context.signal.aborted || names.includes('APIUserAbortError') || record.name === 'AbortError') {
    return new AgentError(`${context.provider} request stopped: the run was aborted`, { isRetryable: false, cause: error });
  }
  if (typeof record.status === 'number') {
    const headers = record.headers as HeadersLike | undefined;
    const retryAfterMs = headers && typeof headers.get === 'function' ? parseRetryAfter(headers) : undefined;
    const response = { responseHeaders: headerRecord(headers), responseBody: record.error === undefined ? undefined : clean(JSON.stringify(record.error)) };
    const mapped = httpAgentError(record.status, clean(apiDetail(record)), {
      provider: context.provider,
      keyVariable: context.keyVariable,
      retryAfterMs,
      cause: error,
      ...response,
    });
    const override = headers && typeof headers.get === 'function' ? headers.get('x-should-retry') : undefined;
    if (override !== 'true' && override !== 'false') return mapped;
    return new AgentError(mapped.message, { isRetryable: override === 'true', statusCode: mapped.statusCode, retryAfterMs, cause: error, ...response });
  }
  if (names.includes('APIConnectionTimeoutError') || (names.includes('APIConnectionError') && /timed? ?out/i.test(rawMessage))) {
    return new AgentError(`${context.provider} request to ${context.baseUrl} timed out`, { isRetryable: true, cause: error });
  }
  const chain = causeChain(error);
  const cut = chain.some((link) => (link.code && CUT_STREAM_CODES.has(link.code)) || (link.message && CUT_STREAM_MESSAGE.test(link.message)));
  if (cut) {
    return new AgentError(`${context.provider} response from ${context.baseUrl} was cut off part-way (${clean(rawMessage)})`, {
      isRetryable: true,
      cause: error,
    });
  }
  if (names.includes('APIConnectionError')) {
    const reason = chain
      .slice(1)
      .map((link) => link.code ?? link.message)
      .find((text) => text && text !== '{}' && text !== 'fetch failed');
    return new AgentError(
      `could not reach ${context.provider} at ${context.baseUrl}${reason ? ` (${clean(String(reason))})` : ''}: check the base URL and that the server is running`,
      {
        isRetryable: true,
        cause: error,
      },
    );
  }
  return new AgentError(`${context.provider} request failed: ${clean(rawMessage)}`, { isRetryable: false, cause: error });
}
