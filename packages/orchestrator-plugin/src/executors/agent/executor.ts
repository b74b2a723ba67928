import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { runAgentTask } from '../../agents/run-agent-task';
import { parseSpecFile } from '../../spec/parse-spec-file';
import { normalizePluginOptions, PLUGIN_NAME, type NormalizedPluginOptions } from '../../spec/plugin-options';
import { formatSpecProblem } from '../../spec/spec-error';
import type { AgentExecutorOptions } from './schema';

/**
 * Runs one agent task. Thin: it reads the spec named by the options (the prompt and settings
 * live there, not in the target, so editing one task does not change its siblings' hashes),
 * hands the work to the agents layer, and reports.
 */
export default async function agentExecutor(options: AgentExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  if (options.error) {
    log(`Invalid agent task spec, fix it and run again:\n${options.error}`);
    return { success: false };
  }
  const projectName = context.projectName!;
  const projectRoot = context.projectsConfigurations.projects[projectName].root;
  const pluginOptions = readPluginOptions(context);
  const content = readFileSync(join(context.root, options.spec), 'utf8');
  const parsed = parseSpecFile(options.spec, content);
  const task = parsed.tasks.find((candidate) => candidate.id === options.task);
  if (!task) {
    const problems = parsed.problems.filter((problem) => !problem.taskId || problem.taskId === options.task).map(formatSpecProblem);
    log(
      problems.length
        ? `Invalid agent task spec, fix it and run again:\n${problems.join('\n')}`
        : `Task "${options.task}" is no longer in ${options.spec}: the project graph is stale. Run the command again (or \`nx reset\`).`,
    );
    return { success: false };
  }

  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const record = await runAgentTask({
      workspaceRoot: context.root,
      project: projectName,
      projectRoot,
      task,
      options: pluginOptions,
      upstream: upstreamAgentTasks(context, pluginOptions),
      signal: abort.signal,
      log,
    });
    if (record.status !== 'succeeded') log(`${projectName}:${task.id} ${record.status}: ${record.error ?? 'no detail'}`);
    return { success: record.status === 'succeeded' };
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** The plugin's options from nx.json (the first registration of the plugin). */
function readPluginOptions(context: ExecutorContext): NormalizedPluginOptions {
  const registration = (context.nxJsonConfiguration?.plugins ?? []).find((plugin) => {
    const name = typeof plugin === 'string' ? plugin : plugin.plugin;
    return name === PLUGIN_NAME || name.endsWith(`/${PLUGIN_NAME}`) || name.includes('orchestrator-plugin');
  });
  return normalizePluginOptions(typeof registration === 'object' ? registration.options : undefined);
}

/** The agent tasks this task depends on directly, from Nx's task graph. */
function upstreamAgentTasks(context: ExecutorContext, options: NormalizedPluginOptions): Array<{ project: string; task: string }> {
  const taskId = context.taskGraph && context.projectName && context.targetName ? `${context.projectName}:${context.targetName}` : undefined;
  const dependencies = (taskId && context.taskGraph?.dependencies[taskId]) || [];
  return dependencies.flatMap((dependency: string | { id: string }) => {
    const id = typeof dependency === 'string' ? dependency : dependency.id;
    const task = context.taskGraph!.tasks[id];
    if (!task || !task.target.target.startsWith(options.targetPrefix)) return [];
    return [{ project: task.target.project, task: task.target.target.slice(options.targetPrefix.length) }];
  });
}
