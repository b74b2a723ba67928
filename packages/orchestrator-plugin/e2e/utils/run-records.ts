import type { TempWorkspace } from './temp-workspace';

export interface RecordedRun {
  status: string;
  startedAt: string;
  endedAt: string;
  summary: string;
  attempts: number;
  upstream: string[];
  filesWritten: string[];
}

/** The run record of `project:task`. */
export function runRecord(workspace: TempWorkspace, project: string, task: string): RecordedRun {
  return workspace.readJson<RecordedRun>(`.agent-runs/${project}/${task}/result.json`);
}

/** Start and end in epoch milliseconds, from a run record. */
export function interval(record: RecordedRun): { start: number; end: number } {
  return { start: Date.parse(record.startedAt), end: Date.parse(record.endedAt) };
}
