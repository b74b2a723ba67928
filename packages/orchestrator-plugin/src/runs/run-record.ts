import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from './atomic-write';
import { provenPathInside } from './proven-path';
import { RUN_RECORD_FILE, runRecordFolder } from './run-folders';

/** The record format this version writes and reads; a record of another version is not read. */
export const RUN_RECORD_SCHEMA_VERSION = 1;

/** `skipped`: not run, for the reason in `skipped` (the run budget was spent); it spent nothing. */
const runStatusSchema = z.enum(['succeeded', 'failed', 'timed-out', 'interrupted', 'skipped']);
export type RunStatus = z.output<typeof runStatusSchema>;

/** `estimated`: the counts are the adapter's estimate (the scripted agent), not a client's. */
const tokensSchema = z.object({ input: z.number(), output: z.number(), estimated: z.boolean().optional() });

/** A warning of the run: a setting its provider did not honour as given, or another note. */
const warningSchema = z.union([
  z.looseObject({ type: z.literal('unsupported-setting'), setting: z.string(), details: z.string().optional() }),
  z.looseObject({ type: z.literal('other'), message: z.string() }),
]);

/** One attempt of the run: failed attempts are listed, and their tokens counted in `tokens` and `costUsd`. */
const attemptSchema = z.looseObject({
  attempt: z.number(),
  outcome: z.enum(['succeeded', 'failed', 'stopped']),
  error: z.string().optional(),
  tokens: z.object({ input: z.number(), output: z.number() }),
  /** As the client reported it for this attempt. */
  costUsd: z.number().optional(),
  durationMs: z.number(),
});

/** One verify check after an agent turn: its output as it went back to the agent (trimmed to a token cap). */
const checkResultSchema = z.looseObject({
  check: z.string(),
  command: z.string(),
  passed: z.boolean(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  stopped: z.boolean(),
  durationMs: z.number(),
  output: z.string(),
  omittedLines: z.number(),
});

/** The verify gate: every agent turn (round) with the checks run after it. */
const verificationSchema = z.looseObject({
  /** verifyAttempts: the agent turns the checks may take, the first included. */
  maxAttempts: z.number(),
  passed: z.boolean(),
  rounds: z.array(
    z.looseObject({
      round: z.number(),
      /** How the turn reached the agent: its first prompt, a resumed session, or a new session restating the task. */
      turn: z.enum(['first', 'resumed', 'fresh']),
      summary: z.string(),
      passed: z.boolean(),
      checks: z.array(checkResultSchema),
    }),
  ),
});

/** The write-scope check: what the run changed against its `writes` (see docs/verify-and-isolation.md). */
const writeScopeSchema = z.object({
  isolation: z.enum(['shared', 'worktree']),
  policy: z.enum(['fail', 'warn']),
  checked: z.boolean(),
  note: z.string().optional(),
  inScope: z.array(z.string()),
  outOfScope: z.array(
    z.object({
      path: z.string(),
      attribution: z.enum(['reported', 'alone', 'unattributed', 'isolated']),
      candidates: z.array(z.string()).optional(),
      outsideWorkspace: z.boolean().optional(),
    }),
  ),
  conflicts: z.array(z.object({ path: z.string(), reason: z.string() })),
  presumedOthers: z.array(z.object({ path: z.string(), tasks: z.array(z.string()) })),
  failsTask: z.boolean(),
  patchFile: z.string().optional(),
});

/** `.agent-runs/<project>/<task>/result.json`: what a run did. Fields it does not know are kept. */
export const runRecordSchema = z.looseObject({
  schemaVersion: z.literal(RUN_RECORD_SCHEMA_VERSION),
  project: z.string(),
  task: z.string(),
  spec: z.string(),
  status: runStatusSchema,
  agent: z.string(),
  provider: z.string(),
  model: z.string(),
  attempts: z.number(),
  turns: z.number(),
  tokens: tokensSchema,
  /** USD; null when neither the client nor the price table knows it. */
  costUsd: z.number().nullable(),
  costSource: z.enum(['client', 'price-table', 'unknown']),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number(),
  summary: z.string(),
  filesWritten: z.array(z.string()),
  /** Tasks whose summaries were handed to this one (`project:task`). */
  upstream: z.array(z.string()),
  error: z.string().optional(),
  // Added within schemaVersion 1: optional, so records of earlier plugin versions still read, and
  // earlier versions (which keep unknown fields) still read these.
  attemptHistory: z.array(attemptSchema).optional(),
  warnings: z.array(warningSchema).optional(),
  /** The client's session id, for a follow-up turn (issue 10's verify gates). */
  sessionId: z.string().optional(),
  /** What the task waited for on the run's limits, apart from its run: pool slots before it started, rate-limit pauses within it. */
  waits: z.object({ slotMs: z.number(), rateLimitMs: z.number() }).optional(),
  /** Why a `skipped` task did not run: `budget` (the run budget would be passed), with the figures. */
  skipped: z.object({ reason: z.string(), details: z.string() }).optional(),
  verification: verificationSchema.optional(),
  writeScope: writeScopeSchema.optional(),
  /**
   * Set on an analysis task (one that `produces` a task list) once its list parsed: the list, the
   * project its tasks run in, the invocation that ran them (the nested run started after this was
   * written) and their ids. A produced task the invocation reaches again reads it (see run-produced).
   */
  produced: z.object({ file: z.string(), project: z.string(), runId: z.string(), tasks: z.array(z.string()) }).optional(),
});
export type RunRecord = z.output<typeof runRecordSchema>;

/**
 * The absolute folder of a task's record, proven to lie inside the workspace's `.agent-runs`,
 * also through symlinks on the way (a `.agent-runs` that links elsewhere is refused): the
 * one path a run removes and writes.
 */
export function runRecordPath(workspaceRoot: string, project: string, task: string): string {
  return provenPathInside(workspaceRoot, runRecordFolder(project, task));
}

/** Removes a previous record before a run starts, so an interrupted run leaves no stale success behind. */
export function clearRunRecord(workspaceRoot: string, project: string, task: string): void {
  rmSync(runRecordPath(workspaceRoot, project, task), { recursive: true, force: true });
}

/** Writes result.json atomically: readers never see half a record. */
export function writeRunRecord(workspaceRoot: string, record: RunRecord): void {
  writeFileAtomically(join(runRecordPath(workspaceRoot, record.project, record.task), RUN_RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
}

/**
 * A task's record if it exists, parses and has this version's schema; undefined otherwise (a
 * half-written file, another tool's file, a record of another plugin version).
 */
export function readRunRecord(workspaceRoot: string, project: string, task: string): RunRecord | undefined {
  const path = join(workspaceRoot, runRecordFolder(project, task), RUN_RECORD_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const parsed = runRecordSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
