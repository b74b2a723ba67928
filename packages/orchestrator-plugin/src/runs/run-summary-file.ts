import { readFileSync } from 'node:fs';
import { writeFileAtomically } from './atomic-write';
import { provenPathInside } from './proven-path';
import { SUMMARY_PATH } from './run-folders';
import { runSummarySchema, type RunSummary } from './run-summary';

/**
 * The absolute path of `.agent-runs/summary.json`, proven to stay inside the workspace through
 * any symlink on the way, the file itself included (the atomic write follows a symlinked file).
 */
export function runSummaryPath(workspaceRoot: string): string {
  return provenPathInside(workspaceRoot, SUMMARY_PATH);
}

/** Writes `.agent-runs/summary.json` atomically: a reader sees the previous summary or this one, never half. */
export function writeRunSummary(workspaceRoot: string, summary: RunSummary): void {
  writeFileAtomically(runSummaryPath(workspaceRoot), `${JSON.stringify(summary, null, 2)}\n`);
}

/** The last summary, or why there is none to show. */
export type RunSummaryReading = { summary: RunSummary } | { problem: 'missing' | 'unreadable'; detail: string };

/** Reads `.agent-runs/summary.json`: a file of another version or shape is reported, not trusted. */
export function readRunSummary(workspaceRoot: string): RunSummaryReading {
  const path = runSummaryPath(workspaceRoot);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { problem: 'missing', detail: `${SUMMARY_PATH} does not exist yet` };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: 'unreadable', detail: `${SUMMARY_PATH} is not JSON: ${(error as Error).message}` };
  }
  const parsed = runSummarySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { problem: 'unreadable', detail: `${SUMMARY_PATH} is not a summary this version writes (${issue.path.join('.') || 'root'}: ${issue.message})` };
  }
  return { summary: parsed.data };
}
