import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { batchConcurrency } from './batch-concurrency';
import { runAgentBatch, type BatchTaskOutcome } from './batch-run';
import { openBatchLimits } from './open-run-limits';
import { startTreeKillSentinel, stopCheckOf } from './tree-kill-sentinel';
import type { AgentExecutorOptions } from './schema';

/**
 * Runs a batch of agent tasks in one process (`nx run-many -t agent --batch`): no process
 * start-up per task, which matters for many short tasks, and its own critical-path schedule
 * (see runAgentBatch), as many at a time as `--parallel` says (see batchConcurrency). Each
 * task's lines are printed as they come, prefixed with the task, and returned as its terminal
 * output when it ends. Ctrl-C or SIGTERM stops every agent and starts nothing more.
 */
export default async function* agentBatchExecutor(
  taskGraph: TaskGraph,
  inputs: Record<string, AgentExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<BatchTaskOutcome> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.once(signal, stop);
  const sentinel = startTreeKillSentinel(stop);
  try {
    yield* runAgentBatch({
      taskGraph,
      inputs,
      context,
      parallel: batchConcurrency(context.nxJsonConfiguration?.parallel),
      limits: openBatchLimits(context),
      signal: abort.signal,
      // Each task that ended well gives a stop on its way a moment after its last child process, as the per-task executor does.
      stopRequested: stopCheckOf(sentinel, abort.signal),
    });
  } finally {
    sentinel.retire();
    for (const signal of signals) process.off(signal, stop);
  }
}
