import { AgentError } from './agent-adapter';

export interface RetryOptions {
  /** Extra attempts after the first. */
  retries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  signal?: AbortSignal;
  /** Injectable for tests. */
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (details: { attempt: number; delayMs: number; error: Error }) => void;
}

/** Every attempt's error, when the last attempt failed too. */
export class RetriesExhaustedError extends AgentError {
  readonly attempts: Error[];

  constructor(attempts: Error[]) {
    const last = attempts[attempts.length - 1];
    const list = attempts.map((error, index) => `  attempt ${index + 1}: ${error.message}`).join('\n');
    super(attempts.length === 1 ? last.message : `failed after ${attempts.length} attempts:\n${list}`, {
      isRetryable: false,
      statusCode: (last as AgentError).statusCode,
      exitCode: (last as AgentError).exitCode,
      cause: last,
    });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
  }
}

/**
 * Runs `attempt` until it succeeds, retrying only errors marked retryable, with exponential
 * backoff and jitter, honouring a server's retry-after. Never retries after an abort.
 * The result carries how many attempts it took.
 */
export async function withRetries<T>(attempt: (attemptNumber: number) => Promise<T>, options: RetryOptions): Promise<{ value: T; attempts: number }> {
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 60_000;
  const errors: Error[] = [];
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return { value: await attempt(attemptNumber), attempts: attemptNumber };
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      errors.push(error);
      const retryable = error instanceof AgentError && error.isRetryable;
      if (!retryable || options.signal?.aborted || attemptNumber > options.retries) throw new RetriesExhaustedError(errors);
      const backoff = Math.min(max, base * 2 ** (attemptNumber - 1));
      const jittered = backoff / 2 + (random() * backoff) / 2;
      const delayMs = Math.round(Math.max(jittered, (error as AgentError).retryAfterMs ?? 0));
      options.onRetry?.({ attempt: attemptNumber, delayMs, error });
      await sleep(delayMs, options.signal);
      if (options.signal?.aborted) throw new RetriesExhaustedError(errors);
    }
  }
}

/** Resolves after `milliseconds`, or at once when `signal` aborts. */
export function abortableSleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, milliseconds);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
