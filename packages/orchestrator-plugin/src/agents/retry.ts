import { formatDuration } from '../task-spec/duration';
import { AgentError, asError } from './agent-error';
import { abortableSleep } from '../limits/abortable-sleep';
import { RetryError, type RetryErrorReason } from './retry-error';

/** The longest wait a server's retry-after is honoured for; a longer one is cut to this. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** Statuses that mean "this provider is rate limited or overloaded": the ones a shared backoff listens for. */
const RATE_LIMIT_STATUSES = new Set([429, 529]);

export interface RetryOptions {
  /** Extra attempts after the first. */
  retries: number;
  /** Base of the exponential backoff between attempts. */
  baseDelayMs?: number;
  /** Cap of the exponential backoff. */
  maxDelayMs?: number;
  /** Epoch milliseconds (the task's timeout): no wait may end after it. */
  deadline?: number;
  signal?: AbortSignal;
  /** Injectable for tests. */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Runs before each attempt, and may wait (a concurrency pool's slot, a provider's shared backoff). */
  beforeAttempt?: (attempt: number) => Promise<void>;
  onRetry?: (details: { attempt: number; delayMs: number; error: Error }) => void;
  /** An attempt saw a rate limit or overload (429, 529), with the wait the server asked for. */
  onRateLimited?: (details: { attempt: number; error: AgentError; retryAfterMs?: number }) => void;
}

/**
 * Runs `attempt` until it succeeds, retrying only errors marked retryable, with exponential
 * backoff and jitter, honouring a server's retry-after up to {@link MAX_RETRY_AFTER_MS}. Never
 * retries after an abort, and never waits past `deadline`. Any failure ends in a
 * {@link RetryError} with the reason and every attempt's error.
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<{ value: T; attempts: number }> {
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 60_000;
  const errors: Error[] = [];
  const fail = (reason: RetryErrorReason, note?: string) => new RetryError({ reason, errors, note });
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      await options.beforeAttempt?.(attemptNumber);
      return { value: await attempt(attemptNumber), attempts: attemptNumber };
    } catch (caught) {
      const error = asError(caught);
      errors.push(error);
      const agentError = AgentError.isInstance(error) ? error : undefined;
      if (agentError && isRateLimit(agentError)) {
        options.onRateLimited?.({ attempt: attemptNumber, error: agentError, retryAfterMs: agentError.retryAfterMs });
      }
      if (options.signal?.aborted) throw fail('abort');
      if (!agentError?.isRetryable) throw fail('errorNotRetryable');
      if (attemptNumber > options.retries) throw fail('maxRetriesExceeded');
      const backoff = Math.min(max, base * 2 ** (attemptNumber - 1));
      const jittered = backoff / 2 + (random() * backoff) / 2;
      const delayMs = Math.round(Math.max(jittered, Math.min(agentError.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
      if (options.deadline !== undefined && now() + delayMs >= options.deadline) {
        throw fail('deadlineExceeded', `not retried: waiting ${formatDuration(delayMs)} would pass the task's timeout`);
      }
      options.onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleep(delayMs, options.signal);
      if (options.signal?.aborted) throw fail('abort');
    }
  }
}

/** Whether the provider turned an attempt away as rate limited or overloaded (429, 529): what a shared backoff listens for. */
export function isRateLimit(error: AgentError): boolean {
  return error.statusCode !== undefined && RATE_LIMIT_STATUSES.has(error.statusCode);
}
