import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { batchConcurrency } from './batch-concurrency';
import { runAgentTarget } from './run-agent-target';
import { startTreeKillSentinel } from './tree-kill-sentinel';
import type { AgentExecutorOptions } from './schema';

/** What Nx expects per task from a batch implementation (not re-exported by @nx/devkit). */
interface BatchTaskResult {
  success: boolean;
  terminalOutput: string;
  startTime: number;
  endTime: number;
  /** `skipped` for a task that never ran because a task it needs failed. */
  status?: 'success' | 'failure' | 'skipped';
}

/**
 * Runs a batch of agent tasks in one process (`nx run-many -t agent --batch`): no process
 * start-up per task, which matters for many short tasks. Within the batch it schedules
 * itself, in dependency order, as many at a time as `--parallel` says (see batchConcurrency).
 * Each task's lines are printed as they come, prefixed with the task, and returned as its
 * terminal output when it ends.
 */
export default async function* agentBatchExecutor(
  taskGraph: TaskGraph,
  inputs: Record<string, AgentExecutorOptions>,
  _overrides: unknown,
  context: ExecutorContext,
): AsyncGenerator<{ task: string; result: BatchTaskResult }> {
  const concurrency = batchConcurrency(context.nxJsonConfiguration?.parallel);
  const abort = new AbortController();
  const stop = () => abort.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.once(signal, stop);
  const sentinel = startTreeKillSentinel(stop);
  const outcome = new Map<string, boolean>();
  const running = new Map<string, Promise<{ task: string; result: BatchTaskResult }>>();
  const waiting = Object.keys(taskGraph.tasks);
  const dependenciesOf = (task: string) =>
    ((taskGraph.dependencies[task] ?? []) as Array<string | { id: string }>)
      .map((edge) => (typeof edge === 'string' ? edge : edge.id))
      .filter((id) => id in taskGraph.tasks);

  const start = (task: string) => {
    const lines: string[] = [];
    const startTime = Date.now();
    const log = (line: string) => {
      lines.push(line);
      process.stdout.write(`[${task}] ${line.split('\n').join(`\n[${task}] `)}\n`);
    };
    const run = runAgentTarget({
      options: inputs[task],
      taskId: task,
      projectName: taskGraph.tasks[task].target.project,
      context,
      signal: abort.signal,
      stopRequested: () => abort.signal.aborted || sentinel.signalled(),
      log,
    })
      .catch((error: Error) => {
        log(error.message);
        return false;
      })
      .then((success) => ({ task, result: { success, terminalOutput: `${lines.join('\n')}\n`, startTime, endTime: Date.now() } }));
    running.set(task, run);
  };

  try {
    while (waiting.length || running.size) {
      for (let index = 0; index < waiting.length && running.size < concurrency;) {
        const task = waiting[index];
        const dependencies = dependenciesOf(task);
        const failed = dependencies.find((dependency) => outcome.get(dependency) === false);
        if (failed || abort.signal.aborted) {
          waiting.splice(index, 1);
          outcome.set(task, false);
          const reason = failed ? `not run: ${failed} failed` : 'not run: the batch was stopped';
          yield { task, result: { success: false, status: 'skipped', terminalOutput: `${reason}\n`, startTime: Date.now(), endTime: Date.now() } };
          continue;
        }
        if (dependencies.every((dependency) => outcome.has(dependency))) {
          waiting.splice(index, 1);
          start(task);
          continue;
        }
        index++;
      }
      if (!running.size) {
        // Nothing runs and nothing can start: only a dependency Nx never gave us can cause it.
        for (const task of waiting.splice(0)) {
          yield {
            task,
            result: {
              success: false,
              status: 'skipped',
              terminalOutput: 'not run: its dependencies never completed in this batch\n',
              startTime: Date.now(),
              endTime: Date.now(),
            },
          };
        }
        continue;
      }
      const finished = await Promise.race(running.values());
      running.delete(finished.task);
      outcome.set(finished.task, finished.result.success);
      yield finished;
    }
  } finally {
    sentinel.retire();
    for (const signal of signals) process.off(signal, stop);
  }
}
