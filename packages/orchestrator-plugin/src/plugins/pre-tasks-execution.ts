import type { PreTasksExecution } from '@nx/devkit';
import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import { RUN_ID_ENV, pruneRunStates } from '../limits/run-identity';
import type { AgentPluginOptions } from '../task-spec/plugin-options';

/** Run states (journals) older than this are removed when a new invocation starts. */
const KEEP_RUN_STATES_MS = 7 * 86_400_000;

/**
 * Before Nx runs any task: names the invocation, so every task process of it (forked, or one
 * batch process) finds the same run state: its shared backoff and its budget ledger. Nx's own id
 * for the invocation is also what postTasksExecution receives, so the run summary finds it too.
 * Nx passes the hook's `process.env` assignments on to the processes it forks, daemon on or off:
 * that is the hook's one channel to them, hence the one place the plugin sets `process.env`.
 */
export const preTasksExecution: PreTasksExecution<AgentPluginOptions> = (_options, context) => {
  process.env[RUN_ID_ENV] = context.id;
  pruneRunStates({ workspaceDataFolder: workspaceDataDirectoryForWorkspace(context.workspaceRoot), keep: context.id, olderThanMs: KEEP_RUN_STATES_MS });
};
