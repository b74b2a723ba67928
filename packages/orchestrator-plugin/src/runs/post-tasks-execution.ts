import { join } from 'node:path';
import type { PostTasksExecution } from '@nx/devkit';
import { normalizePluginOptions, type AgentPluginOptions } from '../task-spec/plugin-options';
import { writeFileAtomically } from './atomic-write';
import { SUMMARY_PATH } from './run-folders';
import { readRunRecord } from './run-record';
import { buildRunSummary, formatRunSummary, type NxTaskStatus } from './run-summary';

/**
 * After every Nx invocation that ran agent tasks: writes `.agent-runs/summary.json` and prints
 * the summary table (ran or cached, duration, tokens, cost; what the cache saved). Nx runs this
 * hook inside the daemon when the daemon is on; there the table goes to the daemon's log and
 * the file is the place to read it.
 */
export const postTasksExecution: PostTasksExecution<AgentPluginOptions> = (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  const agentTasks = Object.values(context.taskResults).filter((result) => result.task.target.target.startsWith(options.targetPrefix));
  if (!agentTasks.length) return;
  const summary = buildRunSummary(
    agentTasks.map(({ task, status }) => {
      const id = task.target.target.slice(options.targetPrefix.length);
      // A skipped task's folder may still hold an older run's record: it did not run now.
      const ranOrRestored = status !== 'skipped' && status !== 'stopped';
      return { task: `${task.target.project}:${id}`, status: status as NxTaskStatus, record: ranOrRestored ? readRunRecord(context.workspaceRoot, task.target.project, id) : undefined };
    }),
    context.startTime,
    context.endTime,
  );
  writeFileAtomically(join(context.workspaceRoot, SUMMARY_PATH), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\n${formatRunSummary(summary)}`);
};
