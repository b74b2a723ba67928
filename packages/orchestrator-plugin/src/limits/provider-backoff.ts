import { abortableSleep, stoppedError } from './abortable-sleep';
import type { JournalEvent, RunJournal } from './run-journal';

/** The longest pause one rate limit imposes, whatever the server asks: a bad header must not stall a run for hours. */
export const MAX_PAUSE_MS = 60_000;
/** Pause after a rate limit that names no wait: this, doubled for each cut in a row, up to {@link MAX_BACKOFF_MS}. */
export const BASE_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 30_000;

/** A provider's shared state in one run, folded from the run's journal. */
export interface BackoffState {
  /** How many of the provider's tasks may hold a slot now: the configured limit, cut on rate limits, regrown on successes. Infinity: no limit. */
  limit: number;
  /** No new attempt of the provider starts before this (epoch ms). */
  pausedUntil: number;
  /** The rate limit that set `pausedUntil`. */
  pausedBy?: { task: string; retryAfterMs?: number };
  /** Rate-limit answers seen. */
  rateLimits: number;
  /** Times the pool was cut (one per episode, however many tasks were turned away in it). */
  cuts: number;
  /** Cuts since the last success: how far the next unnamed backoff doubles. */
  cutsInARow: number;
  /** Wall time during which the provider was paused (overlapping pauses counted once). */
  pausedMs: number;
}

/**
 * Folds a provider's events into its state, the same in every process that reads the same
 * journal. Additive increase, multiplicative decrease (as TCP does with its window): a rate
 * limit halves the limit, counted from the slots in use when it happened, so an unlimited pool
 * also learns a size; each success adds 1/limit, about one slot per round of successes, up to
 * the configured limit. Only an attempt that started after the last cut cuts again: the
 * twelve answers of one burst are one episode, not twelve halvings.
 */
export function foldBackoff(events: readonly JournalEvent[], provider: string, configuredLimit: number): BackoffState {
  const state: BackoffState = { limit: configuredLimit, pausedUntil: 0, rateLimits: 0, cuts: 0, cutsInARow: 0, pausedMs: 0 };
  let lastCutAt = -Infinity;
  let windowStart = 0;
  let windowEnd = 0;
  for (const event of events) {
    if (event.type === 'rate-limited' && event.provider === provider) {
      state.rateLimits++;
      if (event.attemptStartedAt >= lastCutAt) {
        state.limit = Math.max(1, Math.floor(Math.min(state.limit, Math.max(1, event.inUse)) / 2));
        state.cuts++;
        state.cutsInARow++;
        lastCutAt = event.at;
      }
      const end = event.at + event.pauseMs;
      if (end > state.pausedUntil) {
        state.pausedUntil = end;
        state.pausedBy = { task: event.task, ...(event.retryAfterMs !== undefined ? { retryAfterMs: event.retryAfterMs } : {}) };
      }
      // The union of the pause windows, in journal order (windows arrive nearly sorted by time).
      if (event.at > windowEnd) {
        state.pausedMs += windowEnd - windowStart;
        windowStart = event.at;
        windowEnd = end;
      } else {
        windowEnd = Math.max(windowEnd, end);
      }
    } else if (event.type === 'attempt-succeeded' && event.provider === provider) {
      state.cutsInARow = 0;
      if (state.limit < configuredLimit) state.limit = Math.min(configuredLimit, state.limit + 1 / state.limit);
    }
  }
  state.pausedMs += windowEnd - windowStart;
  return state;
}

/** What the provider pauses for after a rate limit: the server's wait (capped), else a doubling backoff with jitter. */
export function pauseAfterRateLimit(retryAfterMs: number | undefined, cutsInARow: number, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, MAX_PAUSE_MS);
  const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** cutsInARow);
  return Math.round(backoff / 2 + (random() * backoff) / 2);
}

export interface ProviderBackoffOptions {
  journal: RunJournal;
  provider: string;
  /** The pool's configured limit; Infinity when none is set. */
  configuredLimit: number;
  now?: () => number;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * One provider's backoff in one run, shared by all its tasks through the run journal: a rate
 * limit seen by any task pauses the next attempts of every task of the provider, and cuts its
 * pool for the rest of the run.
 */
export class ProviderBackoff {
  private readonly now: () => number;
  private readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: ProviderBackoffOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
    this.random = options.random ?? Math.random;
  }

  /** The provider's state now. */
  state(): BackoffState {
    return foldBackoff(this.options.journal.read(), this.options.provider, this.options.configuredLimit);
  }

  /** Records a rate limit seen by `task`; returns how long every task of the provider now pauses. */
  recordRateLimit(details: { task: string; attemptStartedAt: number; retryAfterMs?: number; inUse: number }): number {
    const pauseMs = pauseAfterRateLimit(details.retryAfterMs, this.state().cutsInARow, this.random);
    this.options.journal.append({
      type: 'rate-limited',
      at: this.now(),
      task: details.task,
      provider: this.options.provider,
      attemptStartedAt: details.attemptStartedAt,
      ...(details.retryAfterMs !== undefined ? { retryAfterMs: details.retryAfterMs } : {}),
      pauseMs,
      inUse: details.inUse,
      configuredLimit: this.options.configuredLimit === Infinity ? null : this.options.configuredLimit,
    });
    return pauseMs;
  }

  /** Records a successful attempt (the pool grows back). */
  recordSuccess(task: string): void {
    this.options.journal.append({ type: 'attempt-succeeded', at: this.now(), task, provider: this.options.provider });
  }

  /**
   * Waits while the provider is paused (a pause may be extended while it waits) and returns
   * how long it waited; a wait is journalled for the summary. Rejects when `signal` aborts.
   */
  async waitForClearance(request: { task: string; signal?: AbortSignal; onPause?: (state: BackoffState, remainingMs: number) => void }): Promise<number> {
    const started = this.now();
    let announcedUntil = 0;
    for (;;) {
      if (request.signal?.aborted) throw stoppedError(`waiting for ${this.options.provider}'s rate limit to pass`);
      const state = this.state();
      const remaining = state.pausedUntil - this.now();
      if (remaining <= 0) break;
      if (state.pausedUntil !== announcedUntil) request.onPause?.(state, remaining);
      announcedUntil = state.pausedUntil;
      // Wake at the end of the pause, and look in between for a pause that grew.
      await this.sleep(Math.min(remaining, 1_000), request.signal);
    }
    // Only a pause is a wait: the time the looks at the journal took is not.
    const waitedMs = announcedUntil ? this.now() - started : 0;
    if (waitedMs > 0) this.options.journal.append({ type: 'paused', at: this.now(), task: request.task, provider: this.options.provider, waitedMs });
    return waitedMs;
  }
}
