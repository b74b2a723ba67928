import { join } from 'node:path';
import type { PostTasksExecution, ProjectGraph } from '@nx/devkit';
import { isAgentTarget, type AgentTargetOptions } from '../task-spec/agent-target';
import { writeFileAtomically } from './atomic-write';
import { SUMMARY_PATH } from './run-folders';
import { readRunRecord } from './run-record';
import { buildRunSummary, formatRunSummary, type NxTaskStatus } from './run-summary';
import { writeRunReport } from './write-run-report';

/**
 * After every Nx invocation that ran agent tasks: writes `.agent-runs/summary.json` and prints
 * the summary table (ran or cached, duration, tokens, cost; what the cache saved). Agent tasks
 * are those whose target runs the agent executor, looked up in the project graph Nx cached for
 * this invocation. Nx runs this hook inside the daemon when the daemon is on; there the table
 * goes to the daemon's log and the file is the place to read it.
 */
export const postTasksExecution: PostTasksExecution = (_options, context) => {
  const graph = readProjectGraph();
  const agentTasks = Object.values(context.taskResults).flatMap((result) => {
    const target = graph?.nodes[result.task.target.project]?.data.targets?.[result.task.target.target];
    const id = (target?.options as AgentTargetOptions | undefined)?.task;
    return isAgentTarget(target) && id ? [{ ...result, id }] : [];
  });
  if (!agentTasks.length) return;
  const summary = buildRunSummary(
    agentTasks.map(({ task, status, id }) => {
      // A skipped task's folder may still hold an older run's record: it did not run now.
      const ranOrRestored = status !== 'skipped' && status !== 'stopped';
      return {
        task: `${task.target.project}:${id}`,
        status: status as NxTaskStatus,
        record: ranOrRestored ? readRunRecord(context.workspaceRoot, task.target.project, id) : undefined,
      };
    }),
    context.startTime,
    context.endTime,
  );
  writeFileAtomically(join(context.workspaceRoot, SUMMARY_PATH), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\n${formatRunSummary(summary)}`);
  try {
    const timings = new Map(agentTasks.map(({ task, id }) => [`${task.target.project}:${id}`, task as { startTime?: number; endTime?: number }]));
    process.stdout.write(`Run report: ${writeRunReport({ workspaceRoot: context.workspaceRoot, summary, timings })}\n`);
  } catch (error) {
    process.stderr.write(`nx-agent-orchestrator: could not write the run report: ${(error as Error).message}\n`);
  }
};

/** The project graph of this invocation as Nx cached it; loaded lazily (Nx's devkit costs a plugin worker ~0.3 s). */
function readProjectGraph(): ProjectGraph | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when the hook runs
    return (require('@nx/devkit') as typeof import('@nx/devkit')).readCachedProjectGraph();
  } catch {
    return undefined;
  }
}
