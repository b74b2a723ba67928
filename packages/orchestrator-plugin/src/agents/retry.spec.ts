import { AgentError, UnsupportedAgentError } from './agent-adapter';
import { abortableSleep, RetriesExhaustedError, withRetries, type RetryOptions } from './retry';

const transient = (message: string, retryAfterMs?: number) => new AgentError(message, { isRetryable: true, statusCode: 503, retryAfterMs });
const permanent = (message: string) => new AgentError(message, { isRetryable: false, statusCode: 400 });

/** An attempt function that fails with the given errors in turn, then returns `value`. */
function failingThen(errors: unknown[], value = 'done') {
  const seen: number[] = [];
  const attempt = async (attemptNumber: number) => {
    seen.push(attemptNumber);
    if (attemptNumber <= errors.length) throw errors[attemptNumber - 1];
    return value;
  };
  return { attempt, seen };
}

/** Options with a recording, instant sleep and a fixed random. */
function recordingOptions(overrides: Partial<RetryOptions> = {}) {
  const sleeps: number[] = [];
  const retries: Array<{ attempt: number; delayMs: number; message: string }> = [];
  const options: RetryOptions = {
    retries: 2,
    baseDelayMs: 1_000,
    sleep: async (milliseconds) => void sleeps.push(milliseconds),
    random: () => 0.5,
    onRetry: ({ attempt, delayMs, error }) => retries.push({ attempt, delayMs, message: error.message }),
    ...overrides,
  };
  return { options, sleeps, retries };
}

describe('withRetries', () => {
  it.each<[string, unknown[], number, { attempts: number } | { error: string; attemptCount: number }]>([
    ['succeeds at once', [], 2, { attempts: 1 }],
    ['one transient failure, then success', [transient('overloaded')], 2, { attempts: 2 }],
    ['transient failures up to the limit, then success', [transient('a'), transient('b')], 2, { attempts: 3 }],
    [
      'transient failures beyond the limit',
      [transient('a'), transient('b'), transient('c')],
      2,
      { error: 'failed after 3 attempts:\n  attempt 1: a\n  attempt 2: b\n  attempt 3: c', attemptCount: 3 },
    ],
    ['no retries allowed', [transient('a')], 0, { error: 'a', attemptCount: 1 }],
    ['a permanent error is never retried', [permanent('bad request')], 5, { error: 'bad request', attemptCount: 1 }],
    ['an unsupported setting is never retried', [new UnsupportedAgentError('no tools here')], 5, { error: 'no tools here', attemptCount: 1 }],
    ['a plain Error is not retryable', [new Error('boom')], 5, { error: 'boom', attemptCount: 1 }],
    ['a thrown string becomes an error', ['just text'], 5, { error: 'just text', attemptCount: 1 }],
    [
      'transient then permanent stops at the permanent one',
      [transient('a'), permanent('b')],
      5,
      { error: 'failed after 2 attempts:\n  attempt 1: a\n  attempt 2: b', attemptCount: 2 },
    ],
  ])('%s', async (_name, errors, retries, expected) => {
    const { attempt, seen } = failingThen(errors);
    const { options } = recordingOptions({ retries });
    if ('attempts' in expected) {
      await expect(withRetries(attempt, options)).resolves.toEqual({ value: 'done', attempts: expected.attempts });
      expect(seen).toEqual(Array.from({ length: expected.attempts }, (_, index) => index + 1));
    } else {
      const error = await withRetries(attempt, options).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RetriesExhaustedError);
      expect((error as RetriesExhaustedError).message).toBe(expected.error);
      expect((error as RetriesExhaustedError).attempts).toHaveLength(expected.attemptCount);
      expect((error as RetriesExhaustedError).isRetryable).toBe(false);
      expect(seen).toHaveLength(expected.attemptCount);
    }
  });

  it('keeps the last error as the cause, with its status and exit code', async () => {
    const last = new AgentError('exit 3', { isRetryable: false, exitCode: 3, statusCode: 500 });
    const { attempt } = failingThen([transient('a'), last]);
    const error = (await withRetries(attempt, recordingOptions().options).catch((caught: unknown) => caught)) as RetriesExhaustedError;
    expect(error.cause).toBe(last);
    expect(error.exitCode).toBe(3);
    expect(error.statusCode).toBe(500);
    expect(error.attempts.map((attemptError) => attemptError.message)).toEqual(['a', 'exit 3']);
  });

  it.each<[string, number, number | undefined, number]>([
    // Equal jitter: half the backoff fixed, the other half random.
    ['random 0 gives half the backoff', 0, undefined, 500],
    ['random 0.5 gives three quarters', 0.5, undefined, 750],
    ['random 1 gives the full backoff', 1, undefined, 1_000],
    ['a longer retry-after wins over the backoff', 0, 7_000, 7_000],
    ['a shorter retry-after does not shorten the backoff', 1, 10, 1_000],
  ])('first delay: %s', async (_name, random, retryAfterMs, expectedDelay) => {
    const { attempt } = failingThen([transient('a', retryAfterMs)]);
    const { options, sleeps } = recordingOptions({ random: () => random });
    await withRetries(attempt, options);
    expect(sleeps).toEqual([expectedDelay]);
  });

  it('doubles the backoff each attempt, capped at maxDelayMs, and reports each retry', async () => {
    const errors = [transient('a'), transient('b'), transient('c'), transient('d'), transient('e')];
    const { attempt } = failingThen(errors);
    const { options, sleeps, retries } = recordingOptions({ retries: 5, baseDelayMs: 100, maxDelayMs: 500, random: () => 1 });
    await expect(withRetries(attempt, options)).resolves.toEqual({ value: 'done', attempts: 6 });
    expect(sleeps).toEqual([100, 200, 400, 500, 500]);
    expect(retries).toEqual([
      { attempt: 1, delayMs: 100, message: 'a' },
      { attempt: 2, delayMs: 200, message: 'b' },
      { attempt: 3, delayMs: 400, message: 'c' },
      { attempt: 4, delayMs: 500, message: 'd' },
      { attempt: 5, delayMs: 500, message: 'e' },
    ]);
  });

  it('never retries an attempt that failed after the abort', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const attempt = async (attemptNumber: number) => {
      seen.push(attemptNumber);
      controller.abort();
      throw transient('stopped mid-attempt');
    };
    const { options, sleeps } = recordingOptions({ signal: controller.signal, retries: 5 });
    await expect(withRetries(attempt, options)).rejects.toThrow('stopped mid-attempt');
    expect(seen).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('does not start another attempt when the abort comes during the backoff', async () => {
    const controller = new AbortController();
    const { attempt, seen } = failingThen([transient('a'), transient('b')]);
    const options: RetryOptions = {
      retries: 5,
      signal: controller.signal,
      sleep: async () => controller.abort(),
      random: () => 0,
    };
    const error = (await withRetries(attempt, options).catch((caught: unknown) => caught)) as RetriesExhaustedError;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.attempts).toHaveLength(1);
    expect(seen).toEqual([1]);
  });

  it('with the real sleep, an abort during the backoff ends the wait at once', async () => {
    const controller = new AbortController();
    const { attempt, seen } = failingThen([transient('a')]);
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    await expect(withRetries(attempt, { retries: 3, baseDelayMs: 60_000, random: () => 0, signal: controller.signal })).rejects.toThrow('a');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(seen).toEqual([1]);
  });
});

describe('abortableSleep', () => {
  it.each<[string, (controller: AbortController) => void, number, [number, number]]>([
    ['waits the full time without an abort', () => undefined, 40, [35, 1_000]],
    ['returns at once when already aborted', (controller) => controller.abort(), 60_000, [0, 1_000]],
    ['returns early when aborted while waiting', (controller) => setTimeout(() => controller.abort(), 10), 60_000, [5, 1_000]],
  ])('%s', async (_name, arrange, milliseconds, [minimum, maximum]) => {
    const controller = new AbortController();
    arrange(controller);
    const started = Date.now();
    await abortableSleep(milliseconds, controller.signal);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(minimum);
    expect(elapsed).toBeLessThan(maximum);
  });
});
