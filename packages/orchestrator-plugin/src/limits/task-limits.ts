import { join } from 'node:path';
import { formatDuration } from '../task-spec/duration';
import { ConcurrencyPool } from './concurrency-pool';
import { ProcessIdentities } from './process-identity';
import { ProviderBackoff } from './provider-backoff';
import { RunBudget, type BudgetLimits } from './run-budget';
import { poolFolder, runJournalPath, runStateFolder } from './run-identity';
import { RunJournal, type Reservation, type Spend } from './run-journal';

/** Providers that call no model: no pool and no backoff unless a limit is set for them. */
const PROVIDERS_WITHOUT_RATE_LIMITS: ReadonlySet<string> = new Set(['command', 'scripted']);

/** The limits of a run, from the plugin options and the environment. */
export interface LimitsSettings {
  /** Most agents of each provider at once (plugin option `concurrency`). */
  providerConcurrency: Readonly<Record<string, number | undefined>>;
  budget: BudgetLimits;
}

export interface RunLimitsOptions {
  /** Nx's workspace data folder (`.nx/workspace-data`). */
  workspaceDataFolder: string;
  runId: string;
  settings: LimitsSettings;
  now?: () => number;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  identities?: ProcessIdentities;
  pollMs?: number;
  staleMs?: number;
}

/** What one task asks of the run's limits. */
export interface TaskLimitsRequest {
  /** `project:task`. */
  task: string;
  provider: string;
  /** The task's profile, when it sets its own concurrency (a pool of the profile's tasks). */
  profile?: { name: string; concurrency?: number };
  /** What the task is expected to spend (its last run, its maxCost), for the run budget. */
  estimate?: Reservation;
  /** One line of the task's output. */
  log: (line: string) => void;
}

/**
 * The run-wide limits, one per process: pools per provider and profile (shared by every run of
 * the workspace), and the run's shared backoff and budget (through the run journal).
 */
export class RunLimits {
  readonly journal: RunJournal;
  readonly pool: ConcurrencyPool;
  readonly budget?: RunBudget;
  private readonly backoffs = new Map<string, ProviderBackoff>();

  constructor(readonly options: RunLimitsOptions) {
    const folder = runStateFolder(options.workspaceDataFolder, options.runId);
    const identities = options.identities ?? new ProcessIdentities(undefined, options.now);
    this.journal = new RunJournal(runJournalPath(options.workspaceDataFolder, options.runId));
    this.pool = new ConcurrencyPool({ identities, now: options.now, sleep: options.sleep, pollMs: options.pollMs, staleMs: options.staleMs });
    const { budget } = options.settings;
    if (budget.costUsd !== undefined || budget.tokens !== undefined) {
      this.budget = new RunBudget({
        journal: this.journal,
        limits: budget,
        admissionPool: { pool: this.pool, folder: join(folder, 'budget-admission') },
        identities,
        now: options.now,
        sleep: options.sleep,
        pollMs: options.pollMs,
      });
    }
  }

  /** The provider's shared backoff in this run. */
  backoff(provider: string): ProviderBackoff {
    let backoff = this.backoffs.get(provider);
    if (!backoff) {
      backoff = new ProviderBackoff({
        journal: this.journal,
        provider,
        configuredLimit: this.options.settings.providerConcurrency[provider] ?? Infinity,
        now: this.options.now,
        sleep: this.options.sleep,
        random: this.options.random,
      });
      this.backoffs.set(provider, backoff);
    }
    return backoff;
  }

  /** The limits one task runs under. */
  forTask(request: TaskLimitsRequest): TaskLimits {
    return new TaskLimits(this, request);
  }
}

/** Waits a task spent on the run's limits, apart from its own run time. */
export interface TaskWaits {
  slotMs: number;
  rateLimitMs: number;
}

/**
 * The limits of one task: `start` before its first attempt (budget, then slots), `beforeAttempt`
 * and `afterAttempt` around each attempt (shared backoff, spend), `finish` at the end.
 */
export class TaskLimits {
  private readonly slots: Array<{ release(): void }> = [];
  private readonly waitsSoFar: TaskWaits = { slotMs: 0, rateLimitMs: 0 };
  private admitted = false;
  private finished = false;
  private readonly now: () => number;

  constructor(
    private readonly run: RunLimits,
    private readonly request: TaskLimitsRequest,
  ) {
    this.now = run.options.now ?? Date.now;
  }

  /** What the task waited for so far. */
  get waits(): TaskWaits {
    return { ...this.waitsSoFar };
  }

  /**
   * Takes the task's place under the budget, then its profile's and its provider's slots (in
   * that order everywhere, so no two tasks wait for each other). Not started when the budget is
   * spent: the reason says by how much. Rejects when `signal` aborts.
   */
  async start(signal?: AbortSignal): Promise<{ started: true } | { started: false; reason: string }> {
    const { request, run } = this;
    if (run.budget) {
      const admission = await run.budget.admit({ task: request.task, estimate: request.estimate, signal, onWait: (message) => request.log(message) });
      if (!admission.admitted) return { started: false, reason: admission.reason };
      this.admitted = true;
    }
    try {
      for (const pool of this.pools()) {
        const slot = await run.pool.acquire({
          folder: poolFolder(run.options.workspaceDataFolder, pool.key),
          limit: pool.limit,
          holder: request.task,
          signal,
          onWait: ({ inUse, waitingAhead }) =>
            request.log(`waiting for ${article(pool.name)} ${pool.name} slot (${inUse} in use${waitingAhead ? `, ${waitingAhead} waiting ahead` : ''})`),
        });
        this.slots.push(slot);
        this.waitsSoFar.slotMs += slot.waitedMs;
        if (slot.waitedMs > 0) {
          run.journal.append({ type: 'slot-waited', at: this.now(), task: request.task, pool: pool.name, waitedMs: slot.waitedMs });
          request.log(`got ${article(pool.name)} ${pool.name} slot after ${formatDuration(slot.waitedMs)}`);
        }
      }
    } catch (error) {
      this.finish();
      throw error;
    }
    return { started: true };
  }

  /** Before an attempt: a retry needs budget left; every attempt waits out its provider's pause. */
  async beforeAttempt(attempt: number, signal?: AbortSignal): Promise<void> {
    const { run } = this;
    if (attempt > 1 && run.budget) {
      const retry = run.budget.mayRetry();
      if (!retry.allowed) throw new Error(retry.reason);
    }
    await this.waitForProvider(signal);
  }

  /** Waits out the provider's shared pause (a rate limit a task of the run met), if there is one: before an attempt, and before each request of an SDK loop. */
  async waitForProvider(signal?: AbortSignal): Promise<void> {
    const { request, run } = this;
    if (!this.hasBackoff()) return;
    const waited = await run.backoff(request.provider).waitForClearance({
      task: request.task,
      signal,
      onPause: (state, remainingMs) =>
        request.log(
          `waiting ${formatDuration(remainingMs)}: ${request.provider} is rate limited (seen by ${state.pausedBy?.task ?? 'another task'}${state.pausedBy?.retryAfterMs !== undefined ? `, retry-after ${formatDuration(state.pausedBy.retryAfterMs)}` : ''})`,
        ),
    });
    this.waitsSoFar.rateLimitMs += waited;
  }

  /** After an attempt: what it spent, and whether the provider turned it away with a rate limit. */
  afterAttempt(outcome: { attempt: number; startedAt: number; succeeded: boolean; rateLimited?: { retryAfterMs?: number }; spend?: Spend }): void {
    const { request, run } = this;
    if (outcome.spend && run.budget) run.budget.recordSpend({ task: request.task, attempt: outcome.attempt, ...outcome.spend });
    if (!this.hasBackoff()) return;
    const backoff = run.backoff(request.provider);
    if (outcome.succeeded) backoff.recordSuccess(request.task);
    else if (outcome.rateLimited) {
      const pool = this.pools().find((candidate) => candidate.key === request.provider);
      const inUse = pool ? Math.min(run.pool.count(poolFolder(run.options.workspaceDataFolder, pool.key)), pool.limit()) : 1;
      const pauseMs = backoff.recordRateLimit({
        task: request.task,
        attemptStartedAt: outcome.startedAt,
        retryAfterMs: outcome.rateLimited.retryAfterMs,
        inUse,
      });
      request.log(
        `${request.provider} rate limited this task: every ${request.provider} task pauses ${formatDuration(pauseMs)}; at most ${describeLimit(backoff.state().limit)} at once from now on`,
      );
    }
  }

  /** Gives back the slots and the budget reservation. Safe to call twice. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const slot of this.slots.splice(0).reverse()) slot.release();
    if (this.admitted) this.run.budget?.finish(this.request.task);
  }

  private hasBackoff(): boolean {
    const { provider } = this.request;
    return !PROVIDERS_WITHOUT_RATE_LIMITS.has(provider) || this.run.options.settings.providerConcurrency[provider] !== undefined;
  }

  /** The pools the task takes a slot in: its profile's (if it sets concurrency), then its provider's. */
  private pools(): Array<{ key: string; name: string; limit: () => number }> {
    const { request, run } = this;
    const pools: Array<{ key: string; name: string; limit: () => number }> = [];
    const profileLimit = request.profile?.concurrency;
    if (request.profile && profileLimit !== undefined) {
      pools.push({ key: `profile-${request.profile.name}`, name: request.profile.name, limit: () => profileLimit });
    }
    if (this.hasBackoff()) {
      // The provider's limit as the run's backoff has cut it (the configured one until a rate limit).
      pools.push({ key: request.provider, name: request.provider, limit: () => run.backoff(request.provider).state().limit });
    }
    return pools;
  }
}

/** "a claude-code slot", "an anthropic slot". */
function article(name: string): string {
  return /^[aeiou]/i.test(name) ? 'an' : 'a';
}

function describeLimit(limit: number): string {
  return limit === Infinity ? 'no limit' : String(Math.floor(limit));
}
