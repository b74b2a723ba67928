import { posix } from 'node:path';
import { safeSegment } from '../task-spec/path-safety';

/**
 * Where runs leave their records, relative to the workspace root. Pure (no I/O): the graph
 * layer names the same folders as task outputs that the run layer writes.
 */
export const RUN_RECORDS_FOLDER = '.agent-runs';
export const RUN_RECORD_FILE = 'result.json';
export const TRANSCRIPT_FILE = 'transcript.jsonl';
export const SUMMARY_FILE = 'summary.json';

/**
 * `.agent-runs/<project>/<task>`, each part one safe segment (see safeSegment), so no project
 * name or task id can point it elsewhere and no two tasks share it. Always with `/`.
 */
export function runRecordFolder(project: string, task: string): string {
  return posix.join(RUN_RECORDS_FOLDER, safeSegment(project), safeSegment(task));
}

/** `.agent-runs/summary.json`. */
export const SUMMARY_PATH = posix.join(RUN_RECORDS_FOLDER, SUMMARY_FILE);
