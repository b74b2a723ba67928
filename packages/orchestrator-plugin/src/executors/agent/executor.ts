import type { ExecutorContext } from '@nx/devkit';
import { runAgentTarget } from './run-agent-target';
import { startTreeKillSentinel, stopCheckOf } from './tree-kill-sentinel';
import type { AgentExecutorOptions } from './schema';

/**
 * Runs one agent task in the process Nx forks for it, streaming its progress as plain
 * lines (readable in Nx's terminal UI and in CI logs). Ctrl-C or SIGTERM stops the agent
 * and its whole process tree; the run record then says "interrupted", never "succeeded".
 */
export default async function agentExecutor(options: AgentExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.once(signal, stop);
  const sentinel = startTreeKillSentinel(stop);
  try {
    const success = await runAgentTarget({
      options,
      taskId: `${context.projectName}:${context.targetName}${context.configurationName ? `:${context.configurationName}` : ''}`,
      projectName: context.projectName!,
      context,
      signal: abort.signal,
      stopRequested: stopCheckOf(sentinel, abort.signal),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    return { success };
  } finally {
    sentinel.retire();
    for (const signal of signals) process.off(signal, stop);
  }
}
