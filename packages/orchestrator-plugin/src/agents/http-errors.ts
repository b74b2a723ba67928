import { AgentError } from './agent-adapter';

/** Statuses worth another attempt: timeouts, conflicts, rate limits, overload, server errors. */
export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Milliseconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date),
 * as the providers send them; undefined when neither is usable.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null | undefined } | Record<string, string | undefined>,
  now = Date.now(),
): number | undefined {
  // An empty header is no value (Number('') would read it as "retry now").
  const read = (name: string) =>
    (typeof (headers as { get?: unknown }).get === 'function'
      ? (headers as { get(name: string): string | null | undefined }).get(name)
      : (headers as Record<string, string | undefined>)[name]
    )?.trim() || undefined;
  const milliseconds = Number(read('retry-after-ms'));
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = read('retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What an HTTP status means for the user: the fix for auth and request errors, a note for the rest. */
export function describeStatus(status: number, provider: string, keyVariable: string): string {
  if (status === 401) return `${provider} rejected the credentials (HTTP 401): check ${keyVariable}`;
  if (status === 403) return `${provider} refused the request (HTTP 403): the key lacks access to this model or feature`;
  if (status === 404) return `${provider} answered HTTP 404: check the model name and the base URL`;
  if (status === 429) return `${provider} rate limit (HTTP 429)`;
  if (status === 529 || status === 503) return `${provider} is overloaded (HTTP ${status})`;
  if (status >= 500) return `${provider} server error (HTTP ${status})`;
  return `${provider} rejected the request (HTTP ${status})`;
}

/** An AgentError for an HTTP failure, retryable only where the status says so. */
export function httpAgentError(
  status: number,
  detail: string,
  options: { provider: string; keyVariable: string; retryAfterMs?: number; cause?: unknown; responseHeaders?: Record<string, string>; responseBody?: string },
): AgentError {
  const { provider, keyVariable, ...details } = options;
  const message = `${describeStatus(status, provider, keyVariable)}${detail ? `: ${detail}` : ''}`;
  return new AgentError(message, { ...details, isRetryable: isRetryableStatus(status), statusCode: status });
}
