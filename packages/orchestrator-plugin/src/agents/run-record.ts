import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveInside, safeSegment } from '../spec/path-safety';

export type RunStatus = 'succeeded' | 'failed' | 'timed-out' | 'interrupted';

/** `.agent-runs/<project>/<task>/result.json`: what a run did. */
export interface RunRecord {
  schemaVersion: 1;
  project: string;
  task: string;
  spec: string;
  status: RunStatus;
  agent: string;
  provider: string;
  model: string;
  attempts: number;
  turns: number;
  tokens: { input: number; output: number };
  /** USD; null when neither the client nor the price table knows it. */
  costUsd: number | null;
  costSource: 'client' | 'price-table' | 'unknown';
  startedAt: string;
  endedAt: string;
  durationMs: number;
  summary: string;
  filesWritten: string[];
  /** Tasks whose summaries were handed to this one (`project:task`). */
  upstream: string[];
  error?: string;
}

export const RUN_RECORD_FILE = 'result.json';
export const TRANSCRIPT_FILE = 'transcript.jsonl';

const RUN_RECORDS_FOLDER = '.agent-runs';

/**
 * The folder of one task's run record, relative to the workspace root:
 * `.agent-runs/<project>/<task>`, each part one safe segment (see safeSegment), so no project
 * name or task id can point it elsewhere and no two tasks share it.
 */
export function runRecordFolder(project: string, task: string): string {
  return join(RUN_RECORDS_FOLDER, safeSegment(project), safeSegment(task));
}

/**
 * The absolute folder of a task's record, proven to lie inside the workspace's `.agent-runs`,
 * also through symlinks on the way (a `.agent-runs` that links elsewhere is refused): the
 * one path the run removes and writes.
 */
export function runRecordPath(workspaceRoot: string, project: string, task: string): string {
  const records = resolveInside(workspaceRoot, RUN_RECORDS_FOLDER);
  const folder = resolveInside(records, join(safeSegment(project), safeSegment(task)));
  // The deepest part of the path that exists must resolve inside the real workspace too.
  let existing = folder;
  while (!existsSync(existing)) existing = dirname(existing);
  resolveInside(realpathSync(workspaceRoot), realpathSync(existing), { allowRoot: true });
  return folder;
}

/** Removes a previous record before a run starts, so an interrupted run leaves no stale success behind. */
export function clearRunRecord(workspaceRoot: string, project: string, task: string): void {
  rmSync(runRecordPath(workspaceRoot, project, task), { recursive: true, force: true });
}

/** Writes result.json atomically (temp file + rename): readers never see half a record. */
export function writeRunRecord(workspaceRoot: string, record: RunRecord): void {
  const folder = runRecordPath(workspaceRoot, record.project, record.task);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, RUN_RECORD_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** A task's record if it exists and parses; undefined otherwise. */
export function readRunRecord(workspaceRoot: string, project: string, task: string): RunRecord | undefined {
  const path = join(workspaceRoot, runRecordFolder(project, task), RUN_RECORD_FILE);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}
