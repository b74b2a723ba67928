import { posix } from 'node:path';
import { writeFileAtomically } from './atomic-write';
import { provenPathInside } from './proven-path';
import { RUN_RECORDS_FOLDER } from './run-folders';
import { readRunRecord } from './run-record';
import { buildRunReport, type ReportTask } from './run-report';
import type { RunSummary } from './run-summary';

/** `.agent-runs/report.html`, relative to the workspace root. */
export const REPORT_PATH = posix.join(RUN_RECORDS_FOLDER, 'report.html');

export interface WriteRunReportRequest {
  workspaceRoot: string;
  summary: RunSummary;
  /** Nx's start and end of each task in this invocation, by `project:task` (a cache hit's are its replay's). */
  timings: ReadonlyMap<string, { startTime?: number; endTime?: number }>;
}

/**
 * Writes the run report beside the summary. A task that ran is drawn from its record's
 * startedAt to endedAt; a cache hit at the moment Nx replayed it (its record's times are the
 * original run's), with the agent, tokens and summary of the record it restored.
 */
export function writeRunReport({ workspaceRoot, summary, timings }: WriteRunReportRequest): string {
  const tasks = summary.tasks.map((row): ReportTask => {
    const separator = row.task.lastIndexOf(':');
    const [project, id] = [row.task.slice(0, separator), row.task.slice(separator + 1)];
    const record = row.outcome === 'skipped' ? undefined : readRunRecord(workspaceRoot, project, id);
    // A task the plugin skipped has a record of why (Nx's own skips have none).
    const skipped = row.reason ? { reason: row.reason, ...detailsOf(readRunRecord(workspaceRoot, project, id)?.skipped?.details) } : undefined;
    const timing = timings.get(row.task);
    const fromRecord = record && row.outcome !== 'cached' ? { startedAt: Date.parse(record.startedAt), endedAt: Date.parse(record.endedAt) } : undefined;
    const fromNx = timing?.startTime !== undefined && timing.endTime !== undefined ? { startedAt: timing.startTime, endedAt: timing.endTime } : undefined;
    const times = row.outcome === 'skipped' ? undefined : (fromRecord ?? fromNx);
    return {
      task: row.task,
      outcome: row.outcome,
      ...(row.cache ? { cache: row.cache } : {}),
      ...(times ?? {}),
      ...(record
        ? { agent: record.agent, model: record.model, attempts: record.attempts, summary: record.summary, ...(record.error ? { error: record.error } : {}) }
        : {}),
      tokens: row.tokens,
      costUsd: row.costUsd,
      upstream: record?.upstream ?? [],
      ...(skipped ? { skipped } : {}),
    };
  });
  const html = buildRunReport({ startedAt: Date.parse(summary.startedAt), endedAt: Date.parse(summary.endedAt), tasks, totals: summary.totals });
  writeFileAtomically(provenPathInside(workspaceRoot, REPORT_PATH), html);
  return REPORT_PATH;
}

function detailsOf(details: string | undefined): { details?: string } {
  return details ? { details } : {};
}
