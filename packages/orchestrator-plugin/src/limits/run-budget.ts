import { abortableSleep, stoppedError } from './abortable-sleep';
import type { ConcurrencyPool } from './concurrency-pool';
import type { ProcessIdentities } from './process-identity';
import type { BudgetLimits, JournalEvent, Reservation, RunJournal } from './run-journal';

export type { BudgetLimits } from './run-journal';

/** What the run has spent and holds back, folded from its journal. */
export interface BudgetTotals {
  /** Every attempt that ended, failed ones included. */
  spent: { costUsd: number; tokens: number; unpricedAttempts: number };
  /** Held back for the tasks still running (their expected spend). */
  reserved: { costUsd: number; tokens: number };
  /** Tasks admitted and not finished, whose owner still runs. */
  running: Array<{ task: string; reservation: Reservation }>;
  /** Mean spend of a finished task, once one has finished. */
  meanPerTask?: { costUsd?: number; tokens: number };
  /** Tasks not started because the budget was spent, with why. */
  refused: Array<{ task: string; reason: string }>;
}

/** Folds the budget events; `isRunning` tells whether an admitted task's owner process still runs. */
export function foldBudget(events: readonly JournalEvent[], isRunning: (event: Extract<JournalEvent, { type: 'admitted' }>) => boolean): BudgetTotals {
  const spent = { costUsd: 0, tokens: 0, unpricedAttempts: 0 };
  const admitted = new Map<string, Extract<JournalEvent, { type: 'admitted' }>>();
  const spentByTask = new Map<string, { costUsd: number; tokens: number; unpriced: boolean }>();
  const finished = new Set<string>();
  const refused: BudgetTotals['refused'] = [];
  for (const event of events) {
    if (event.type === 'spent') {
      spent.tokens += event.tokens;
      if (event.costUsd === null) spent.unpricedAttempts++;
      else spent.costUsd += event.costUsd;
      const task = spentByTask.get(event.task) ?? { costUsd: 0, tokens: 0, unpriced: false };
      spentByTask.set(event.task, {
        costUsd: task.costUsd + (event.costUsd ?? 0),
        tokens: task.tokens + event.tokens,
        unpriced: task.unpriced || event.costUsd === null,
      });
    } else if (event.type === 'admitted') {
      admitted.set(event.task, event);
      finished.delete(event.task);
    } else if (event.type === 'finished') {
      finished.add(event.task);
    } else if (event.type === 'refused') {
      refused.push({ task: event.task, reason: event.reason });
    }
  }
  const running = [...admitted.values()].filter((event) => !finished.has(event.task) && isRunning(event));
  // A running task's reservation shrinks by what it has already spent (that is counted in `spent`).
  const held = running.map(({ task, reservation }) => {
    const already = spentByTask.get(task);
    return {
      costUsd: Math.max(0, (reservation.costUsd ?? 0) - (already?.costUsd ?? 0)),
      tokens: Math.max(0, (reservation.tokens ?? 0) - (already?.tokens ?? 0)),
    };
  });
  const done = [...finished].flatMap((task) => (spentByTask.has(task) ? [spentByTask.get(task)!] : [{ costUsd: 0, tokens: 0, unpriced: false }]));
  const priced = done.filter((task) => !task.unpriced);
  return {
    spent,
    reserved: { costUsd: held.reduce((total, item) => total + item.costUsd, 0), tokens: held.reduce((total, item) => total + item.tokens, 0) },
    running: running.map(({ task, reservation }) => ({ task, reservation })),
    ...(done.length
      ? {
          meanPerTask: {
            tokens: done.reduce((total, task) => total + task.tokens, 0) / done.length,
            ...(priced.length ? { costUsd: priced.reduce((total, task) => total + task.costUsd, 0) / priced.length } : {}),
          },
        }
      : {}),
    refused,
  };
}

/** The answer to "may this task start?". */
export type Admission = { admitted: true; reservation: Reservation } | { admitted: false; reason: string };

export interface RunBudgetOptions {
  journal: RunJournal;
  limits: BudgetLimits;
  /** The run's admission lock: a pool of one in the run's state folder. */
  admissionPool: { pool: ConcurrencyPool; folder: string };
  identities: ProcessIdentities;
  now?: () => number;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** How often a task that waits for the first cost to be known looks again. */
  pollMs?: number;
}

/**
 * The run's budget, shared by every task process through the run journal. A task starts only
 * while what was spent, plus what the running tasks are expected to spend, plus what this task
 * is expected to spend, stays within the budget: so a run stops within about one task of its
 * limit however many tasks run at once. Once it is spent, no task starts and no retry is
 * made; running attempts finish. A task's expected spend is the caller's estimate (its last
 * run, its own maxCost), else the mean of the tasks that finished in this run; while nothing
 * is known yet, one task runs first to learn it (the others wait for it, not refused).
 */
export class RunBudget {
  private readonly now: () => number;
  private readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: RunBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? abortableSleep;
  }

  /** What the run has spent and holds back now. */
  totals(): BudgetTotals {
    return foldBudget(this.options.journal.read(), (event) => this.options.identities.liveness(event.owner) !== 'dead');
  }

  /**
   * Decides whether `task` may start, and if so records its reservation; a refusal is recorded
   * too (the summary lists it). Decisions are taken one at a time across the run, so two
   * tasks never both take the last of the budget.
   */
  async admit(request: { task: string; estimate?: Reservation; signal?: AbortSignal; onWait?: (message: string) => void }): Promise<Admission> {
    let announced = false;
    for (;;) {
      if (request.signal?.aborted) throw stoppedError('waiting for the run budget');
      const slot = await this.options.admissionPool.pool.acquire({
        folder: this.options.admissionPool.folder,
        limit: () => 1,
        holder: request.task,
        signal: request.signal,
      });
      try {
        const decision = this.decide(request.task, request.estimate);
        if (decision.kind === 'admit') {
          this.options.journal.append({
            type: 'admitted',
            at: this.now(),
            task: request.task,
            owner: this.options.identities.identify(),
            reservation: decision.reservation,
            budget: this.options.limits,
          });
          return { admitted: true, reservation: decision.reservation };
        }
        if (decision.kind === 'refuse') {
          this.options.journal.append({ type: 'refused', at: this.now(), task: request.task, reason: decision.reason, budget: this.options.limits });
          return { admitted: false, reason: decision.reason };
        }
        if (!announced) request.onWait?.(decision.message);
        announced = true;
      } finally {
        slot.release();
      }
      await this.sleep(this.options.pollMs ?? 250, request.signal);
    }
  }

  /** Whether a running task may make another attempt: not once the budget is spent. */
  mayRetry(): { allowed: true } | { allowed: false; reason: string } {
    const over = this.overBy(this.totals(), {});
    return over ? { allowed: false, reason: `not retried: ${over}` } : { allowed: true };
  }

  /** Records what one attempt spent (a failed one too). */
  recordSpend(details: { task: string; attempt: number; costUsd: number | null; tokens: number }): void {
    this.options.journal.append({ type: 'spent', at: this.now(), ...details });
  }

  /** Records that an admitted task is done: its reservation is released. */
  finish(task: string): void {
    this.options.journal.append({ type: 'finished', at: this.now(), task });
  }

  private decide(
    task: string,
    estimate: Reservation | undefined,
  ): { kind: 'admit'; reservation: Reservation } | { kind: 'refuse'; reason: string } | { kind: 'wait'; message: string } {
    const totals = this.totals();
    const { limits } = this.options;
    const spentOut = this.overBy(totals, {});
    if (spentOut) return { kind: 'refuse', reason: spentOut };
    const reservation: Reservation = {
      ...(limits.costUsd !== undefined ? { costUsd: estimate?.costUsd ?? totals.meanPerTask?.costUsd } : {}),
      ...(limits.tokens !== undefined ? { tokens: estimate?.tokens ?? totals.meanPerTask?.tokens } : {}),
    };
    const unknown = (limits.costUsd !== undefined && reservation.costUsd === undefined) || (limits.tokens !== undefined && reservation.tokens === undefined);
    if (unknown) {
      // Nothing tells what a task costs yet: let one run alone to learn it, rather than start a
      // whole --parallel wave blind.
      const blind = totals.running.find((running) => running.task !== task && !isEstimated(running.reservation, limits));
      if (blind) return { kind: 'wait', message: `waiting for ${blind.task} to show what a task costs before starting more (${describeLimits(limits)})` };
      return { kind: 'admit', reservation: withoutUndefined(reservation) };
    }
    const expectedOut = this.overBy(totals, reservation);
    if (expectedOut) return { kind: 'refuse', reason: expectedOut };
    return { kind: 'admit', reservation: withoutUndefined(reservation) };
  }

  /** Why spent + reserved + `extra` passes the budget, or undefined when it does not. */
  private overBy(totals: BudgetTotals, extra: Reservation): string | undefined {
    const { limits } = this.options;
    const cost = totals.spent.costUsd + totals.reserved.costUsd + (extra.costUsd ?? 0);
    const tokens = totals.spent.tokens + totals.reserved.tokens + (extra.tokens ?? 0);
    const expecting = extra.costUsd !== undefined || extra.tokens !== undefined;
    // Without an extra, the budget is out once it is reached; with one, once it would be passed.
    const passes = (value: number, limit: number) => (expecting ? value > limit : value >= limit);
    const parts: string[] = [];
    if (limits.costUsd !== undefined && passes(cost, limits.costUsd)) {
      parts.push(
        `$${totals.spent.costUsd.toFixed(4)} spent${running(totals.reserved.costUsd, (value) => `$${value.toFixed(4)}`)}${expected(extra.costUsd, (value) => `$${value.toFixed(4)}`)} of the run budget $${limits.costUsd.toFixed(2)}`,
      );
    }
    if (limits.tokens !== undefined && passes(tokens, limits.tokens)) {
      parts.push(
        `${totals.spent.tokens} tokens spent${running(totals.reserved.tokens, String)}${expected(extra.tokens, String)} of the run budget of ${limits.tokens} tokens`,
      );
    }
    return parts.length ? `run budget ${expecting ? 'would be passed' : 'spent'}: ${parts.join('; ')}` : undefined;
  }
}

function running(value: number, format: (value: number) => string): string {
  return value > 0 ? ` + ${format(value)} expected by running tasks` : '';
}

function expected(value: number | undefined, format: (value: number) => string): string {
  return value !== undefined ? ` + ${format(value)} expected by this task` : '';
}

function isEstimated(reservation: Reservation, limits: BudgetLimits): boolean {
  return (limits.costUsd === undefined || reservation.costUsd !== undefined) && (limits.tokens === undefined || reservation.tokens !== undefined);
}

function describeLimits(limits: BudgetLimits): string {
  const parts = [limits.costUsd !== undefined ? `$${limits.costUsd.toFixed(2)}` : '', limits.tokens !== undefined ? `${limits.tokens} tokens` : ''].filter(
    Boolean,
  );
  return `run budget ${parts.join(' and ')}`;
}

function withoutUndefined(reservation: Reservation): Reservation {
  return {
    ...(reservation.costUsd !== undefined ? { costUsd: reservation.costUsd } : {}),
    ...(reservation.tokens !== undefined ? { tokens: reservation.tokens } : {}),
  };
}
