import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { runAgentTask } from '../../agents/run-agent-task';
import { parseSpecFile } from '../../task-spec/parse-spec-file';
import { normalizePluginOptions, PLUGIN_NAME, type NormalizedPluginOptions } from '../../task-spec/plugin-options';
import { formatSpecProblem } from '../../task-spec/spec-error';
import type { AgentExecutorOptions } from './schema';

/** What running one agent target needs from Nx, in either executor mode. */
export interface AgentTargetRun {
  options: AgentExecutorOptions;
  /** The Nx task id, `project:target`. */
  taskId: string;
  projectName: string;
  context: Pick<ExecutorContext, 'root' | 'projectsConfigurations' | 'nxJsonConfiguration'> & { taskGraph?: TaskGraph };
  signal: AbortSignal;
  /** Checked before a run is recorded as a success (see tree-kill-sentinel). */
  stopRequested?: () => boolean;
  log: (line: string) => void;
}

/**
 * Runs one agent target: reads its spec (the prompt and settings live there, not in the
 * target, so editing one task does not change its siblings' hashes), runs the task, and
 * says whether it succeeded. Shared by the per-task and the batch executor.
 */
export async function runAgentTarget({ options, taskId, projectName, context, signal, stopRequested, log }: AgentTargetRun): Promise<boolean> {
  if (options.error) {
    log(`Invalid agent task spec, fix it and run again:\n${options.error}`);
    return false;
  }
  const projectRoot = context.projectsConfigurations.projects[projectName].root;
  const pluginOptions = readPluginOptions(context.nxJsonConfiguration);
  const parsed = parseSpecFile(options.spec, readFileSync(join(context.root, options.spec), 'utf8'));
  const task = parsed.tasks.find((candidate) => candidate.id === options.task);
  if (!task) {
    const problems = parsed.problems.filter((problem) => !problem.taskId || problem.taskId === options.task).map(formatSpecProblem);
    log(
      problems.length
        ? `Invalid agent task spec, fix it and run again:\n${problems.join('\n')}`
        : `Task "${options.task}" is no longer in ${options.spec}: the project graph is stale. Run the command again (or \`nx reset\`).`,
    );
    return false;
  }
  const record = await runAgentTask({
    workspaceRoot: context.root,
    project: projectName,
    projectRoot,
    task,
    options: pluginOptions,
    upstream: upstreamAgentTasks(taskId, context.taskGraph, pluginOptions),
    signal,
    stopRequested,
    log,
  });
  if (record.status !== 'succeeded') log(`${projectName}:${task.id} ${record.status}: ${record.error ?? 'no detail'}`);
  return record.status === 'succeeded';
}

/** The plugin's options from nx.json (the first registration of the plugin). */
function readPluginOptions(nxJson: ExecutorContext['nxJsonConfiguration']): NormalizedPluginOptions {
  const registration = (nxJson?.plugins ?? []).find((plugin) => {
    const name = typeof plugin === 'string' ? plugin : plugin.plugin;
    return name === PLUGIN_NAME || name.endsWith(`/${PLUGIN_NAME}`) || name.endsWith('/orchestrator-plugin') || name.endsWith('/orchestrator-plugin/src');
  });
  return normalizePluginOptions(typeof registration === 'object' ? registration.options : undefined);
}

/** The agent tasks `taskId` depends on directly, from Nx's task graph. */
function upstreamAgentTasks(taskId: string, taskGraph: TaskGraph | undefined, options: NormalizedPluginOptions): Array<{ project: string; task: string }> {
  const dependencies: Array<string | { id: string }> = (taskGraph?.dependencies[taskId] as Array<string | { id: string }> | undefined) ?? [];
  return dependencies.flatMap((dependency) => {
    const task = taskGraph!.tasks[typeof dependency === 'string' ? dependency : dependency.id];
    if (!task || !task.target.target.startsWith(options.targetPrefix)) return [];
    return [{ project: task.target.project, task: task.target.target.slice(options.targetPrefix.length) }];
  });
}
