import type { PostTasksExecution, ProjectGraph } from '@nx/devkit';
import { reportRunSummary } from './report-run-summary';

/**
 * After every Nx invocation that ran agent tasks: writes `.agent-runs/summary.json` and prints
 * the summary table (ran or cached, duration, tokens, cost; what the cache saved; what the run's limits cost it). Nx runs this
 * hook in a plugin worker of the nx process when the daemon is off (the table reaches the
 * terminal, below Nx's own lines) and of the daemon when it is on (the table goes to the
 * daemon's log; `nx-agents` prints it from summary.json once nx exits). See docs/run-summary.md.
 */
export const postTasksExecution: PostTasksExecution = (_options, context) => {
  reportRunSummary({
    context,
    projectGraph: readProjectGraph(),
    env: process.env,
    print: (text) => process.stdout.write(text),
    workspaceDataFolder: workspaceDataFolder(context.workspaceRoot),
  });
};

/** Nx's workspace data folder (`.nx/workspace-data`, or NX_WORKSPACE_DATA_DIRECTORY), where the run's limits journal is. */
function workspaceDataFolder(workspaceRoot: string): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the hook runs
    return (require('nx/src/utils/cache-directory') as typeof import('nx/src/utils/cache-directory')).workspaceDataDirectoryForWorkspace(workspaceRoot);
  } catch {
    return undefined;
  }
}

/** The project graph of this invocation as Nx cached it; loaded lazily (Nx's devkit costs a plugin worker ~0.3 s). */
function readProjectGraph(): ProjectGraph | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the hook runs
    return (require('@nx/devkit') as typeof import('@nx/devkit')).readCachedProjectGraph();
  } catch {
    return undefined;
  }
}
