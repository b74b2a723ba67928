import type { PreTasksExecution } from '@nx/devkit';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import { RUN_ID_ENV, nestedRunId, pruneRunStates } from '../limits/run-identity';
import { launchGuardHook } from '../plan/launch-guard-hook';
import type { AgentPluginOptions } from '../task-spec/plugin-options';

/** Run states (journals) older than this are removed when a new invocation starts. */
const KEEP_RUN_STATES_MS = 7 * 86_400_000;

/**
 * Nx takes one preTasksExecution per plugin, so this one does the plugin's two jobs in order:
 *
 * 1. It names the invocation, so every task process of it (forked, or one batch process) finds
 *    the same run state: its shared backoff and its budget ledger. Nx's own id for the
 *    invocation is also what postTasksExecution receives, so the run summary finds it too. Nx
 *    passes the hook's `process.env` assignments on to the processes it forks, daemon on or off:
 *    that is the hook's one channel to them, hence the one place the plugin sets `process.env`.
 * 2. Then the launch guard (plan/launch-guard-hook.ts) may refuse the run; its error stops Nx
 *    before any task starts. Naming comes first so the guard's own plan child sees the run id.
 */
export function createPreTasksExecution(rooms: { guard: PreTasksExecution<AgentPluginOptions> }): PreTasksExecution<AgentPluginOptions> {
  return async (options, context) => {
    // A nested run (an analysis task running the list it produced) is part of its parent's invocation: same id, same budget.
    const runId = nestedRunId(process.env) ?? context.id;
    process.env[RUN_ID_ENV] = runId;
    pruneRunStates({ workspaceDataFolder: workspaceDataDirectoryForWorkspace(context.workspaceRoot), keep: runId, olderThanMs: KEEP_RUN_STATES_MS });
    await rooms.guard(options, context);
  };
}

/** The plugin's preTasksExecution: names the run, then the launch guard. */
export const preTasksExecution = createPreTasksExecution({ guard: launchGuardHook });
