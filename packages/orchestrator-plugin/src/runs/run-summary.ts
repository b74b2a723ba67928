import { formatDuration } from '../task-spec/duration';
import type { RunRecord } from './run-record';

/** How one agent task ended in this invocation. */
export type SummaryOutcome = 'ran' | 'cached' | 'failed' | 'skipped' | 'stopped';

export interface SummaryRow {
  task: string;
  outcome: SummaryOutcome;
  /** From the Nx cache: `local` or `remote`. */
  cache?: 'local' | 'remote';
  durationMs: number;
  tokens: { input: number; output: number };
  costUsd: number | null;
}

/** `.agent-runs/summary.json`: one invocation's agent tasks, with totals. */
export interface RunSummary {
  schemaVersion: 1;
  startedAt: string;
  endedAt: string;
  tasks: SummaryRow[];
  totals: {
    ran: number;
    cached: number;
    failed: number;
    skipped: number;
    /** Spent by the tasks that ran in this invocation. */
    spent: { tokens: { input: number; output: number }; costUsd: number; unpricedTasks: number };
    /** What the cache hits would have cost, from the run records they restored. */
    saved: { tokens: { input: number; output: number }; costUsd: number; durationMs: number };
  };
}

/** Nx's status of a task, as the summary needs it. */
export type NxTaskStatus = 'success' | 'failure' | 'skipped' | 'stopped' | 'local-cache-kept-existing' | 'local-cache' | 'remote-cache';

/**
 * Builds the run summary from Nx's task statuses and the tasks' run records (a cached task's
 * record is the one the cache restored, so its tokens and cost are what the hit saved).
 */
export function buildRunSummary(
  tasks: ReadonlyArray<{ task: string; status: NxTaskStatus; record?: RunRecord }>,
  startTime: number,
  endTime: number,
): RunSummary {
  const rows = [...tasks]
    .sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0))
    .map(({ task, status, record }): SummaryRow => {
      const cache = status === 'remote-cache' ? 'remote' : status.startsWith('local-cache') ? 'local' : undefined;
      const outcome: SummaryOutcome = cache
        ? 'cached'
        : status === 'success'
          ? 'ran'
          : status === 'failure'
            ? 'failed'
            : status === 'stopped'
              ? 'stopped'
              : 'skipped';
      return {
        task,
        outcome,
        ...(cache ? { cache } : {}),
        durationMs: record?.durationMs ?? 0,
        tokens: record?.tokens ?? { input: 0, output: 0 },
        costUsd: record ? record.costUsd : null,
      };
    });
  const sum = (selected: SummaryRow[]) => ({
    tokens: { input: selected.reduce((total, row) => total + row.tokens.input, 0), output: selected.reduce((total, row) => total + row.tokens.output, 0) },
    costUsd: selected.reduce((total, row) => total + (row.costUsd ?? 0), 0),
  });
  const spentRows = rows.filter((row) => row.outcome === 'ran' || row.outcome === 'failed');
  const cachedRows = rows.filter((row) => row.outcome === 'cached');
  return {
    schemaVersion: 1,
    startedAt: new Date(startTime).toISOString(),
    endedAt: new Date(endTime).toISOString(),
    tasks: rows,
    totals: {
      ran: rows.filter((row) => row.outcome === 'ran').length,
      cached: cachedRows.length,
      failed: rows.filter((row) => row.outcome === 'failed').length,
      skipped: rows.filter((row) => row.outcome === 'skipped' || row.outcome === 'stopped').length,
      spent: { ...sum(spentRows), unpricedTasks: spentRows.filter((row) => row.costUsd === null && row.tokens.input + row.tokens.output > 0).length },
      saved: { ...sum(cachedRows), durationMs: cachedRows.reduce((total, row) => total + row.durationMs, 0) },
    },
  };
}

/** The summary as the table printed at the end of `nx run-many`. */
export function formatRunSummary(summary: RunSummary): string {
  const money = (value: number | null) => (value === null ? '?' : `$${value.toFixed(4)}`);
  const tokens = (value: { input: number; output: number }) => `${value.input} in / ${value.output} out`;
  const width = Math.max(4, ...summary.tasks.map((row) => row.task.length));
  const lines = [
    `Agent run summary (.agent-runs/summary.json)`,
    `  ${'task'.padEnd(width)}  ${'result'.padEnd(13)}  ${'duration'.padStart(8)}  ${'tokens'.padEnd(22)}  cost`,
    ...summary.tasks.map(
      (row) =>
        `  ${row.task.padEnd(width)}  ${(row.cache ? `cached (${row.cache})` : row.outcome).padEnd(13)}  ${formatDuration(row.durationMs).padStart(8)}  ${tokens(row.tokens).padEnd(22)}  ${row.outcome === 'skipped' || row.outcome === 'stopped' ? '-' : money(row.costUsd)}`,
    ),
  ];
  const { totals } = summary;
  lines.push(
    `  ${totals.ran} ran, ${totals.cached} cached, ${totals.failed} failed, ${totals.skipped} skipped`,
    `  spent: ${tokens(totals.spent.tokens)} tokens, ${money(totals.spent.costUsd)}${totals.spent.unpricedTasks ? ` (+ ${totals.spent.unpricedTasks} task(s) of unknown price)` : ''}`,
    `  saved by the cache: ${tokens(totals.saved.tokens)} tokens, ${money(totals.saved.costUsd)}, ${formatDuration(totals.saved.durationMs)} of agent time`,
  );
  return `${lines.join('\n')}\n`;
}
