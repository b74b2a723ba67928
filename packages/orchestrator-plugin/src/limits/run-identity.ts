import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { safeSegment } from '../task-spec/path-safety';
import { ProcessIdentities, SYSTEM_PROCESS_TABLE, type ProcessTable } from './process-identity';

/**
 * Set by the plugin's preTasksExecution hook to the id Nx gives the invocation. Nx applies what
 * that hook assigns to `process.env` to its own process before it forks any task, so every task
 * process, and a batch process, inherits it; the daemon's plugin worker sends it back to the
 * client too (measured with Nx 24.0.6, daemon on and off, TUI on and off, --batch).
 */
export const RUN_ID_ENV = 'NX_AGENT_RUN_ID';

/**
 * The Nx task ids of the analysis tasks whose produced lists this process's nx runs as a nested
 * run (a JSON list, so a nested run inside a nested run adds its own). Set by the analysis task on
 * the nested nx it starts (executors/agent/run-produced), read by the tasks that nx runs.
 */
export const STAND_IN_ENV = 'NX_AGENTS_STAND_IN';

/**
 * The parent's run id when this nx is a nested run (the stand-in list is set, and the parent's
 * hook named the run), else undefined: a nested run is part of its parent's invocation, so it
 * keeps the parent's id, budget ledger and journal.
 */
export function nestedRunId(env: NodeJS.ProcessEnv): string | undefined {
  return env[STAND_IN_ENV] && env[RUN_ID_ENV] ? env[RUN_ID_ENV] : undefined;
}

/** The plugin's folder inside Nx's workspace data folder (`.nx/workspace-data`). */
export const LIMITS_FOLDER = 'nx-agent-orchestrator';

/** Where concurrency pools live: shared by every run in the workspace, since they guard one account's rate limits. */
export function poolsFolder(workspaceDataFolder: string): string {
  return join(workspaceDataFolder, LIMITS_FOLDER, 'pools');
}

/** One pool's folder. */
export function poolFolder(workspaceDataFolder: string, pool: string): string {
  return join(poolsFolder(workspaceDataFolder), safeSegment(pool));
}

/** Where a run keeps what its tasks share: its journal, its budget lock. */
export function runStateFolder(workspaceDataFolder: string, runId: string): string {
  return join(workspaceDataFolder, LIMITS_FOLDER, 'runs', safeSegment(runId));
}

/** The run's journal (see RunJournal): what its tasks tell each other. */
export function runJournalPath(workspaceDataFolder: string, runId: string): string {
  return join(runStateFolder(workspaceDataFolder, runId), 'journal.jsonl');
}

/**
 * The id of the Nx invocation this process belongs to: {@link RUN_ID_ENV} when the hook set
 * it; otherwise the nx process that started this one (the nearest ancestor that is not one of
 * Nx's per-task wrappers, `tasks-runner/fork.js` under the terminal UI), named by its pid and
 * start time, so tasks of one invocation still agree and a later one with a reused pid does not.
 */
export function currentRunId(environment: NodeJS.ProcessEnv = process.env, table: ProcessTable = SYSTEM_PROCESS_TABLE): string {
  const fromHook = environment[RUN_ID_ENV];
  if (fromHook && /^[A-Za-z0-9._-]{1,100}$/.test(fromHook)) return fromHook;
  const identities = new ProcessIdentities(table);
  let pid = process.ppid;
  for (let depth = 0; depth < 4; depth++) {
    const commandLine = table.readProc(`/proc/${pid}/cmdline`);
    if (!commandLine || !/tasks-runner[/\\]fork\.js/.test(commandLine)) break;
    const parent = parentPid(table.readProc(`/proc/${pid}/stat`));
    if (parent === undefined) break;
    pid = parent;
  }
  const identity = identities.identify(pid);
  return `process-${pid}-${identity.startTime ?? 'unknown'}`;
}

/** Field 4 (ppid) of a /proc/<pid>/stat line, counted after the command name's closing parenthesis. */
function parentPid(stat: string | undefined): number | undefined {
  const end = stat?.lastIndexOf(')') ?? -1;
  if (!stat || end < 0) return undefined;
  const parent = Number(
    stat
      .slice(end + 1)
      .trim()
      .split(/\s+/)[1],
  );
  return Number.isInteger(parent) && parent > 0 ? parent : undefined;
}

/**
 * Removes the state folders of runs that ended long ago (by the folder's last change), leaving
 * `keep` (the run starting now). Never throws: pruning only saves disk.
 */
export function pruneRunStates(request: { workspaceDataFolder: string; keep: string; olderThanMs: number; now?: () => number }): void {
  const folder = join(request.workspaceDataFolder, LIMITS_FOLDER, 'runs');
  const now = (request.now ?? Date.now)();
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (name === safeSegment(request.keep)) continue;
    try {
      const path = join(folder, name);
      // The journal's appends change the file, not the folder: the newest of both says when the run was last active.
      const changed = Math.max(statSync(path).mtimeMs, ...readdirSync(path).map((entry) => statSync(join(path, entry)).mtimeMs));
      if (now - changed > request.olderThanMs) rmSync(path, { recursive: true, force: true });
    } catch {
      // Another run pruned it, or it is not ours to remove.
    }
  }
}
