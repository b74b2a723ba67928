import { AgentError, UnsupportedFeatureError } from './agent-error';
import { MAX_RETRY_AFTER_MS, withRetries, type RetryOptions } from './retry';
import { RetryError, type RetryErrorReason } from './retry-error';

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
  it.each<[string, unknown[], number, { attempts: number } | { error: string; attemptCount: number; reason: RetryErrorReason }]>([
    ['succeeds at once', [], 2, { attempts: 1 }],
    ['one transient failure, then success', [transient('overloaded')], 2, { attempts: 2 }],
    ['transient failures up to the limit, then success', [transient('a'), transient('b')], 2, { attempts: 3 }],
    [
      'transient failures beyond the limit',
      [transient('a'), transient('b'), transient('c')],
      2,
      { error: 'failed after 3 attempts:\n  attempt 1: a\n  attempt 2: b\n  attempt 3: c', attemptCount: 3, reason: 'maxRetriesExceeded' },
    ],
    ['no retries allowed', [transient('a')], 0, { error: 'a', attemptCount: 1, reason: 'maxRetriesExceeded' }],
    ['a permanent error is never retried', [permanent('bad request')], 5, { error: 'bad request', attemptCount: 1, reason: 'errorNotRetryable' }],
    [
      'an unsupported feature is never retried',
      [new UnsupportedFeatureError('no tools here', { feature: 'tools' })],
      5,
      { error: 'no tools here', attemptCount: 1, reason: 'errorNotRetryable' },
    ],
    ['a plain Error is not retryable', [new Error('boom')], 5, { error: 'boom', attemptCount: 1, reason: 'errorNotRetryable' }],
    ['a thrown string becomes an error', ['just text'], 5, { error: 'just text', attemptCount: 1, reason: 'errorNotRetryable' }],
    [
      'transient then permanent stops at the permanent one',
      [transient('a'), permanent('b')],
      5,
      { error: 'failed after 2 attempts:\n  attempt 1: a\n  attempt 2: b', attemptCount: 2, reason: 'errorNotRetryable' },
    ],
  ])('%s', async (_name, errors, retries, expected) => {
    const { attempt, seen } = failingThen(errors);
    const { options } = recordingOptions({ retries });
    if ('attempts' in expected) {
      await expect(withRetries(attempt, options)).resolves.toEqual({ value: 'done', attempts: expected.attempts });
      expect(seen).toEqual(Array.from({ length: expected.attempts }, (_, index) => index + 1));
    } else {
      const error = await withRetries(attempt, options).catch((caught: unknown) => caught);
      expect(RetryError.isInstance(error)).toBe(true);
      expect((error as RetryError).message).toBe(expected.error);
      expect((error as RetryError).reason).toBe(expected.reason);
      expect((error as RetryError).errors).toHaveLength(expected.attemptCount);
      expect((error as RetryError).lastError).toBe((error as RetryError).errors.at(-1));
      expect((error as RetryError).isRetryable).toBe(false);
      expect(seen).toHaveLength(expected.attemptCount);
    }
  });

  it('keeps the last error as the cause, with its status and exit code', async () => {
    const last = new AgentError('exit 3', { isRetryable: false, exitCode: 3, statusCode: 500 });
    const { attempt } = failingThen([transient('a'), last]);
    const error = (await withRetries(attempt, recordingOptions().options).catch((caught: unknown) => caught)) as RetryError;
    expect(error.cause).toBe(last);
    expect(error.exitCode).toBe(3);
    expect(error.statusCode).toBe(500);
    expect(error.errors.map((attemptError) => attemptError.message)).toEqual(['a', 'exit 3']);
  });

  it.each<[string, number, number | undefined, number]>([
    // Equal jitter: half the backoff fixed, the other half random.
    ['random 0 gives half the backoff', 0, undefined, 500],
    ['random 0.5 gives three quarters', 0.5, undefined, 750],
    ['random 1 gives the full backoff', 1, undefined, 1_000],
    ['a longer retry-after wins over the backoff', 0, 7_000, 7_000],
    ['a shorter retry-after does not shorten the backoff', 1, 10, 1_000],
    ['a retry-after over the cap is cut to the cap', 0, 3_600_000, MAX_RETRY_AFTER_MS],
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
    const error = await withRetries(attempt, options).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ reason: 'abort', message: 'stopped mid-attempt' });
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
    const error = (await withRetries(attempt, options).catch((caught: unknown) => caught)) as RetryError;
    expect(error).toMatchObject({ reason: 'abort' });
    expect(error.errors).toHaveLength(1);
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

describe('withRetries: deadline, hooks, markers', () => {
  it.each<[string, number, number | undefined, 'retried' | RetryErrorReason]>([
    ['a wait that ends before the deadline is taken', 10_000, 2_000, 'retried'],
    ['a retry-after that would end after the deadline is not waited for', 10_000, 30_000, 'deadlineExceeded'],
    ['a backoff that would end after the deadline is not waited for either', 500, undefined, 'deadlineExceeded'],
  ])('%s', async (_name, deadlineInMs, retryAfterMs, expected) => {
    const { attempt, seen } = failingThen([transient('rate limited', retryAfterMs)]);
    const { options, sleeps } = recordingOptions({ now: () => 1_000_000, deadline: 1_000_000 + deadlineInMs, random: () => 1 });
    const outcome = await withRetries(attempt, options).catch((caught: unknown) => caught as RetryError);
    if (expected === 'retried') {
      expect(outcome).toEqual({ value: 'done', attempts: 2 });
      expect(sleeps).toEqual([2_000]);
    } else {
      expect(outcome).toMatchObject({ reason: expected });
      expect((outcome as RetryError).message).toMatch(/^rate limited\n {2}not retried: waiting \d.* would pass the task's timeout$/);
      expect(sleeps).toEqual([]);
      expect(seen).toEqual([1]);
    }
  });

  it('calls beforeAttempt before every attempt, and onRateLimited for a 429 or 529 with its retry-after', async () => {
    const rateLimited = new AgentError('429', { isRetryable: true, statusCode: 429, retryAfterMs: 1_500 });
    const overloaded = new AgentError('529', { isRetryable: true, statusCode: 529 });
    const { attempt } = failingThen([rateLimited, transient('503 is not a rate limit'), overloaded]);
    const calls: string[] = [];
    const { options } = recordingOptions({
      retries: 3,
      beforeAttempt: async (attemptNumber) => void calls.push(`before ${attemptNumber}`),
      onRateLimited: ({ attempt: attemptNumber, error, retryAfterMs }) => void calls.push(`limited ${attemptNumber} ${error.statusCode} ${retryAfterMs}`),
    });
    await expect(withRetries(attempt, options)).resolves.toEqual({ value: 'done', attempts: 4 });
    expect(calls).toEqual(['before 1', 'limited 1 429 1500', 'before 2', 'before 3', 'limited 3 529 undefined', 'before 4']);
  });

  it('errors are recognised by their marker, also from another copy of the class', () => {
    const error = new RetryError({ reason: 'abort', errors: [transient('a')] });
    expect([AgentError.isInstance(error), RetryError.isInstance(error), UnsupportedFeatureError.isInstance(error)]).toEqual([true, true, false]);
    // Another copy of the package has its own classes but the same Symbol.for marker.
    const foreign = Object.assign(new Error('from another copy'), { [Symbol.for('nx-agent-orchestrator.agent-error')]: true });
    expect(foreign instanceof AgentError).toBe(false);
    expect(AgentError.isInstance(foreign)).toBe(true);
    expect([AgentError.isInstance(new Error('plain')), AgentError.isInstance(undefined), AgentError.isInstance('text')]).toEqual([false, false, false]);
  });
});
