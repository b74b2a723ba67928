import { existsSync } from 'node:fs';
import { formatDuration } from '../task-spec/duration';
import { runJournalPath } from './run-identity';
import { foldBackoff } from './provider-backoff';
import { foldBudget } from './run-budget';
import { RunJournal, type BudgetLimits, type JournalEvent } from './run-journal';

/** What the run's limits cost it, for the run summary and summary.json. */
export interface LimitsSummary {
  /** Time tasks waited for a pool slot, per pool. */
  slotWaits: { tasks: number; totalMs: number; byPool: Record<string, { tasks: number; totalMs: number }> };
  /** Per provider that was rate limited: answers seen, cuts of the pool, wall time paused, and what tasks waited. */
  rateLimits: Record<string, { rateLimits: number; cuts: number; pausedMs: number; tasksPaused: number; waitedMs: number; limitAtEnd: number | null }>;
  /** Set when the run had a budget. */
  budget?: {
    limits: BudgetLimits;
    used: { costUsd: number; tokens: number; unpricedAttempts: number };
    left: BudgetLimits;
    /** Tasks not started because the budget was spent. */
    refused: Array<{ task: string; reason: string }>;
  };
}

/**
 * Totals a run's journal for the summary. Everything it needs is in the journal: the pool sizes
 * a rate limit cut and the budget in force are written with the events, so the summary needs
 * neither the options nor the environment the tasks ran with.
 */
export function summarizeLimits(events: readonly JournalEvent[]): LimitsSummary {
  const slotWaits: LimitsSummary['slotWaits'] = { tasks: 0, totalMs: 0, byPool: {} };
  const waitedTasks = new Set<string>();
  const configuredLimits = new Map<string, number>();
  let budget: BudgetLimits | undefined;
  for (const event of events) {
    if (event.type === 'slot-waited') {
      waitedTasks.add(event.task);
      slotWaits.totalMs += event.waitedMs;
      const pool = (slotWaits.byPool[event.pool] ??= { tasks: 0, totalMs: 0 });
      pool.tasks++;
      pool.totalMs += event.waitedMs;
    } else if (event.type === 'rate-limited') {
      configuredLimits.set(event.provider, event.configuredLimit ?? Infinity);
    } else if (event.type === 'admitted' || event.type === 'refused') {
      budget = event.budget;
    }
  }
  slotWaits.tasks = waitedTasks.size;
  const rateLimits: LimitsSummary['rateLimits'] = {};
  for (const [provider, configuredLimit] of [...configuredLimits].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const state = foldBackoff(events, provider, configuredLimit);
    const paused = events.filter((event): event is Extract<JournalEvent, { type: 'paused' }> => event.type === 'paused' && event.provider === provider);
    rateLimits[provider] = {
      rateLimits: state.rateLimits,
      cuts: state.cuts,
      pausedMs: state.pausedMs,
      tasksPaused: new Set(paused.map((event) => event.task)).size,
      waitedMs: paused.reduce((total, event) => total + event.waitedMs, 0),
      limitAtEnd: state.limit === Infinity ? null : Math.floor(state.limit),
    };
  }
  if (!budget || (budget.costUsd === undefined && budget.tokens === undefined)) return { slotWaits, rateLimits };
  // Every admitted task has ended when the summary is made: none holds a reservation.
  const totals = foldBudget(events, () => false);
  return {
    slotWaits,
    rateLimits,
    budget: {
      limits: budget,
      used: totals.spent,
      left: {
        ...(budget.costUsd !== undefined ? { costUsd: Math.max(0, budget.costUsd - totals.spent.costUsd) } : {}),
        ...(budget.tokens !== undefined ? { tokens: Math.max(0, budget.tokens - totals.spent.tokens) } : {}),
      },
      refused: totals.refused,
    },
  };
}

/** The limits summary of run `runId` (Nx's invocation id), or undefined when its tasks met no limit. */
export function readLimitsSummary(workspaceDataFolder: string, runId: string): LimitsSummary | undefined {
  const path = runJournalPath(workspaceDataFolder, runId);
  return existsSync(path) ? summarizeLimits(new RunJournal(path).read()) : undefined;
}

/** The summary's lines about limits; none when the run met none of them. */
export function formatLimitsSummary(summary: LimitsSummary): string[] {
  const lines: string[] = [];
  if (summary.slotWaits.tasks) {
    const pools = Object.entries(summary.slotWaits.byPool).map(([pool, wait]) => `${pool} ${wait.tasks} task(s), ${formatDuration(wait.totalMs)}`);
    lines.push(`  waited for slots: ${formatDuration(summary.slotWaits.totalMs)} over ${summary.slotWaits.tasks} task(s) (${pools.join('; ')})`);
  }
  for (const [provider, limit] of Object.entries(summary.rateLimits)) {
    lines.push(
      `  rate limits: ${provider} answered ${limit.rateLimits} rate limit(s); paused ${formatDuration(limit.pausedMs)} in ${limit.cuts} pause(s), ${limit.tasksPaused} task(s) waited ${formatDuration(limit.waitedMs)}${limit.limitAtEnd !== null ? `; at most ${limit.limitAtEnd} at once by the end` : ''}`,
    );
  }
  if (summary.budget) {
    const { limits, used, left, refused } = summary.budget;
    const parts = [
      limits.costUsd !== undefined ? `$${used.costUsd.toFixed(4)} of $${limits.costUsd.toFixed(2)} used, $${(left.costUsd ?? 0).toFixed(4)} left` : '',
      limits.tokens !== undefined ? `${used.tokens} of ${limits.tokens} tokens used, ${left.tokens ?? 0} left` : '',
    ].filter(Boolean);
    lines.push(
      `  run budget: ${parts.join('; ')}${used.unpricedAttempts && limits.costUsd !== undefined ? ` (${used.unpricedAttempts} attempt(s) of unknown price not counted in the cost)` : ''}`,
    );
    if (refused.length) lines.push(`  skipped (budget): ${refused.length} task(s) not started: ${refused.map((item) => item.task).join(', ')}`);
  }
  return lines;
}
