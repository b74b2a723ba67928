import { z } from 'zod';
import { formatLimitsSummary, type LimitsSummary } from '../limits/limits-summary';
import { formatDuration } from '../task-spec/duration';
import type { RunRecord } from './run-record';

/** The summary format this version writes and reads (2: invocation id and command; stopped counted apart from skipped). */
export const RUN_SUMMARY_SCHEMA_VERSION = 2;

const tokensSchema = z.strictObject({ input: z.number(), output: z.number() });

const summaryRowSchema = z.strictObject({
  /** `project:task`. */
  task: z.string(),
  /** How the task ended in this invocation. */
  outcome: z.enum(['ran', 'cached', 'failed', 'skipped', 'stopped']),
  /** From the Nx cache: `local` or `remote`. */
  cache: z.enum(['local', 'remote']).optional(),
  /** Why a skipped task did not run, when the plugin skipped it (`budget`: the run budget was spent); none when Nx skipped it. */
  reason: z.string().optional(),
  /** For a cached task: the run the cache replayed, so what the hit saved. */
  durationMs: z.number(),
  tokens: tokensSchema,
  /** USD; null when no record says (unknown price, or no record at all). */
  costUsd: z.number().nullable(),
  /** Files the run changed outside its `writes` (record.writeScope): in a worktree never copied back. */
  outOfScope: z.array(z.string()).optional(),
  /** Agent turns its verify checks took, when the task has checks (record.verification). */
  verifyRounds: z.number().optional(),
});

const budgetLimitsSchema = z.strictObject({ costUsd: z.number().optional(), tokens: z.number().optional() });

/** What the run's limits cost it (see limits/limits-summary.ts); absent when its tasks met none. */
const limitsSchema = z.strictObject({
  slotWaits: z.strictObject({
    tasks: z.number(),
    totalMs: z.number(),
    byPool: z.record(z.string(), z.strictObject({ tasks: z.number(), totalMs: z.number() })),
  }),
  rateLimits: z.record(
    z.string(),
    z.strictObject({
      rateLimits: z.number(),
      cuts: z.number(),
      pausedMs: z.number(),
      tasksPaused: z.number(),
      waitedMs: z.number(),
      limitAtEnd: z.number().nullable(),
    }),
  ),
  budget: z
    .strictObject({
      limits: budgetLimitsSchema,
      used: z.strictObject({ costUsd: z.number(), tokens: z.number(), unpricedAttempts: z.number() }),
      left: budgetLimitsSchema,
      refused: z.array(z.strictObject({ task: z.string(), reason: z.string() })),
    })
    .optional(),
});

/** `.agent-runs/summary.json`: one invocation's agent tasks, with totals. Our own format: strict. */
export const runSummarySchema = z.strictObject({
  schemaVersion: z.literal(RUN_SUMMARY_SCHEMA_VERSION),
  /** Nx's id of the invocation. */
  id: z.string(),
  /** The nx command line, after `nx` (`run-many -t agent`). */
  command: z.array(z.string()),
  startedAt: z.string(),
  endedAt: z.string(),
  tasks: z.array(summaryRowSchema),
  totals: z.strictObject({
    ran: z.number(),
    cached: z.number(),
    failed: z.number(),
    skipped: z.number(),
    stopped: z.number(),
    /** Spent by the tasks that ran (or failed) in this invocation. */
    spent: z.strictObject({ tokens: tokensSchema, costUsd: z.number(), unpricedTasks: z.number() }),
    /** What the cache hits would have cost, from the run records they restored. */
    saved: z.strictObject({ tokens: tokensSchema, costUsd: z.number(), durationMs: z.number() }),
  }),
  limits: limitsSchema.optional(),
});
export type RunSummary = z.output<typeof runSummarySchema>;
export type SummaryRow = RunSummary['tasks'][number];
export type SummaryOutcome = SummaryRow['outcome'];

/** Nx's status of a task, as the summary needs it. */
export type NxTaskStatus = 'success' | 'failure' | 'skipped' | 'stopped' | 'local-cache-kept-existing' | 'local-cache' | 'remote-cache';

/** What one invocation's agent tasks did, as Nx and the run records tell it. */
export interface RunSummaryRequest {
  tasks: ReadonlyArray<{ task: string; status: NxTaskStatus; record?: RunRecord }>;
  /** Nx's invocation id and its argv (`[node, nx, ...command]`). */
  id: string;
  argv: readonly string[];
  /** Epoch milliseconds, from Nx. */
  startTime: number;
  endTime: number;
  /** What the run's limits cost it (slot waits, rate-limit pauses, the budget), when its tasks met any. */
  limits?: LimitsSummary;
}

/**
 * Builds the run summary from Nx's task statuses and the tasks' run records (a cached task's
 * record is the one the cache restored, so its tokens and cost are what the hit saved).
 */
export function buildRunSummary({ tasks, id, argv, startTime, endTime, limits }: RunSummaryRequest): RunSummary {
  const rows = [...tasks]
    .sort((a, b) => (a.task < b.task ? -1 : a.task > b.task ? 1 : 0))
    .map(({ task, status, record }): SummaryRow => {
      // A status a later Nx may add is shown as not run rather than breaking the summary.
      // A task the plugin skipped (the run budget) fails in Nx, so it is not cached; its record says it never ran.
      const skippedBy = record?.status === 'skipped' ? (record.skipped?.reason ?? 'unknown') : undefined;
      const { outcome, cache } = skippedBy ? { outcome: 'skipped' as const, cache: undefined } : (OUTCOME_OF_STATUS[status] ?? { outcome: 'skipped' });
      return {
        task,
        outcome,
        ...(cache ? { cache } : {}),
        ...(skippedBy ? { reason: skippedBy } : {}),
        durationMs: record?.durationMs ?? 0,
        tokens: record ? { input: record.tokens.input, output: record.tokens.output } : { input: 0, output: 0 },
        costUsd: record ? record.costUsd : null,
        ...(record?.writeScope?.outOfScope.length ? { outOfScope: record.writeScope.outOfScope.map((change) => change.path) } : {}),
        ...(record?.verification ? { verifyRounds: record.verification.rounds.length } : {}),
      };
    });
  const count = (outcome: SummaryOutcome) => rows.filter((row) => row.outcome === outcome).length;
  const sum = (selected: SummaryRow[]) => ({
    tokens: {
      input: selected.reduce((total, row) => total + row.tokens.input, 0),
      output: selected.reduce((total, row) => total + row.tokens.output, 0),
    },
    costUsd: selected.reduce((total, row) => total + (row.costUsd ?? 0), 0),
  });
  const spentRows = rows.filter((row) => row.outcome === 'ran' || row.outcome === 'failed');
  const cachedRows = rows.filter((row) => row.outcome === 'cached');
  return {
    schemaVersion: RUN_SUMMARY_SCHEMA_VERSION,
    id,
    command: argv.slice(2),
    startedAt: new Date(startTime).toISOString(),
    endedAt: new Date(endTime).toISOString(),
    tasks: rows,
    totals: {
      ran: count('ran'),
      cached: count('cached'),
      failed: count('failed'),
      skipped: count('skipped'),
      stopped: count('stopped'),
      spent: { ...sum(spentRows), unpricedTasks: spentRows.filter((row) => row.costUsd === null && row.tokens.input + row.tokens.output > 0).length },
      saved: { ...sum(cachedRows), durationMs: cachedRows.reduce((total, row) => total + row.durationMs, 0) },
    },
    ...(limits ? { limits } : {}),
  };
}

const OUTCOME_OF_STATUS: Record<NxTaskStatus, Pick<SummaryRow, 'outcome' | 'cache'>> = {
  success: { outcome: 'ran' },
  failure: { outcome: 'failed' },
  skipped: { outcome: 'skipped' },
  stopped: { outcome: 'stopped' },
  'local-cache': { outcome: 'cached', cache: 'local' },
  'local-cache-kept-existing': { outcome: 'cached', cache: 'local' },
  'remote-cache': { outcome: 'cached', cache: 'remote' },
};

/** The summary as the table printed at the end of a run. */
export function formatRunSummary(summary: RunSummary): string {
  const money = (value: number | null) => (value === null ? '?' : `$${value.toFixed(4)}`);
  const tokens = (value: { input: number; output: number }) => `${value.input} in / ${value.output} out`;
  const notRun = (row: SummaryRow) => row.outcome === 'skipped' || row.outcome === 'stopped';
  const width = Math.max(4, ...summary.tasks.map((row) => row.task.length));
  const result = (row: SummaryRow) => (row.cache ? `cached (${row.cache})` : row.reason ? `${row.outcome} (${row.reason})` : row.outcome);
  const resultWidth = Math.max(15, ...summary.tasks.map((row) => result(row).length));
  const lines = [
    `Agent run summary (.agent-runs/summary.json)`,
    `  ${'task'.padEnd(width)}  ${'result'.padEnd(resultWidth)}  ${'duration'.padStart(8)}  ${'tokens'.padEnd(22)}  cost`,
    ...summary.tasks.map((row) =>
      [
        `  ${row.task.padEnd(width)}`,
        result(row).padEnd(resultWidth),
        (notRun(row) ? '-' : formatDuration(row.durationMs)).padStart(8),
        (notRun(row) ? '-' : tokens(row.tokens)).padEnd(22),
        notRun(row) ? '-' : money(row.costUsd),
      ].join('  '),
    ),
  ];
  for (const row of summary.tasks) {
    if (row.outOfScope?.length) lines.push(`  ${row.task} changed files outside its writes: ${row.outOfScope.join(', ')}`);
  }
  const { totals } = summary;
  const counts = [`${totals.ran} ran`, `${totals.cached} cached`, `${totals.failed} failed`, `${totals.skipped} skipped`];
  if (totals.stopped) counts.push(`${totals.stopped} stopped`);
  const unpriced = totals.spent.unpricedTasks ? ` (+ ${totals.spent.unpricedTasks} task(s) of unknown price)` : '';
  lines.push(
    `  ${counts.join(', ')}`,
    `  spent: ${tokens(totals.spent.tokens)} tokens, ${money(totals.spent.costUsd)}${unpriced}`,
    `  saved by the cache: ${tokens(totals.saved.tokens)} tokens, ${money(totals.saved.costUsd)}, ${formatDuration(totals.saved.durationMs)} of agent time`,
    ...(summary.limits ? formatLimitsSummary(summary.limits) : []),
  );
  return `${lines.join('\n')}\n`;
}
