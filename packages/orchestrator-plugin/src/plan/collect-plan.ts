import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectGraph, TaskGraph } from '@nx/devkit';
import { specOfTarget } from '../graph/expand-for-each';
import { workProjectOf } from '../graph/project-node';
import { resolveTaskRun } from '../graph/resolve-task-run';
import { parseTaskReference } from '../graph/task-key';
import type { WriteFacts } from '../graph/write-conflicts';
import { readRunRecord } from '../runs/run-record';
import { isAgentTarget, type AgentTargetOptions } from '../task-spec/agent-target';
import { parseSpecFile } from '../task-spec/parse-spec-file';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import { normalizePluginOptions, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import { formatSpecProblem } from '../task-spec/spec-error';
import { loadSubagentProfiles } from '../workspace/load-subagent-profiles';
import { findPluginOptions, type PluginEntry } from '../workspace/plugin-registration';
import { buildPlan, type Plan, type PlanConflict, type PlanTaskInput } from './build-plan';
import { estimateTask } from './estimate-task';
import { findCacheStates, taskDependencies, type TaskCacheState } from './nx-cache-state';
import { selectTasks, type PlanSelection } from './nx-selection';

export interface CollectPlanRequest {
  workspaceRoot: string;
  selection: PlanSelection;
  /** `--parallel`; undefined: nx.json's `parallel`, else Nx's default of 3; null: unlimited. */
  parallel?: number | null;
  skipRemoteCache?: boolean;
  skipNxCache?: boolean;
  /** Reuse a project graph already computed for this invocation. */
  projectGraph?: ProjectGraph;
  /** Look tasks up in the cache (default). Off, every task counts as running: quick, and an upper bound. */
  checkCache?: boolean;
}

export interface CollectedPlan {
  plan: Plan;
  /** The plugin's options (from the registration that inferred the first agent task), for the launch guard. */
  options?: NormalizedPluginOptions;
}

/**
 * The plan of what a command would run, without running anything: Nx's task graph for the
 * selection, each agent task resolved from its spec the way the executor resolves it and
 * estimated from its last run record (else the configured or default estimate), Nx's cache
 * consulted for hits, and the conflicts the graph layer found, read from the targets' metadata.
 */
export async function collectPlan(request: CollectPlanRequest): Promise<CollectedPlan> {
  const { workspaceRoot } = request;
  const { projectGraph, taskGraph, nxJson } = await selectTasks(request.selection, request.projectGraph);
  const plugins = nxJson.plugins as PluginEntry[] | undefined;
  const subagents = loadSubagentProfiles(workspaceRoot).profiles;
  const parsedSpecs = new Map<string, ParsedSpecFile | undefined>();
  const optionsBySpec = new Map<string, NormalizedPluginOptions>();
  let firstOptions: NormalizedPluginOptions | undefined;
  const conflicts: PlanConflict[] = [];
  const dependencies = taskDependencies(taskGraph);

  const inputs: PlanTaskInput[] = Object.values(taskGraph.tasks).map((task) => {
    const base = { id: task.id, dependencies: dependencies.get(task.id) ?? [], cached: false as const };
    const project = projectGraph.nodes[task.target.project];
    const target = project?.data.targets?.[task.target.target];
    if (!isAgentTarget(target)) return base;
    const targetOptions = target!.options as AgentTargetOptions;
    if (!optionsBySpec.has(targetOptions.spec))
      optionsBySpec.set(targetOptions.spec, normalizePluginOptions(findPluginOptions(workspaceRoot, plugins, targetOptions.spec)));
    const options = optionsBySpec.get(targetOptions.spec)!;
    firstOptions ??= options;
    const agentTask = (target!.metadata?.agentTask ?? {}) as WriteFacts & { agent?: string; provider?: string; model?: string };
    const nxId = (key: string) => {
      const { project: owner, id } = parseTaskReference(key, task.target.project);
      return `${owner}:${options.targetPrefix}${id}`;
    };
    for (const { task: earlier, path } of agentTask.serializedAfter ?? []) conflicts.push({ kind: 'serialized', tasks: [nxId(earlier), task.id], path });
    for (const { writer, path } of agentTask.races ?? []) conflicts.push({ kind: 'race', tasks: [task.id, nxId(writer)], path });
    const agent = {
      name: agentTask.agent ?? '?',
      provider: agentTask.provider ?? '?',
      ...(agentTask.model ? { model: agentTask.model } : {}),
      task: targetOptions.task ?? '',
    };
    if (targetOptions.error) return { ...base, agent, invalid: targetOptions.error };
    if (!parsedSpecs.has(targetOptions.spec)) parsedSpecs.set(targetOptions.spec, readParsed(workspaceRoot, targetOptions.spec));
    const parsed = parsedSpecs.get(targetOptions.spec);
    if (!parsed) return { ...base, agent, invalid: `the spec file ${targetOptions.spec} is gone` };
    // A file worker works in its owner's folder; a worker's task is its template, filled (as createNodes did).
    const { owner, ...work } = workProjectOf(project.name, project.data);
    const resolution = resolveTaskRun(specOfTarget(parsed, targetOptions, owner), targetOptions.task, { project: work, options, subagents });
    if (!resolution.ok) return { ...base, agent, invalid: resolution.problems.map(formatSpecProblem).join('\n') };
    const { run } = resolution;
    const record = readRunRecord(workspaceRoot, project.name, run.task.id);
    return {
      ...base,
      agent: { name: run.agent.name, provider: run.agent.provider, ...(run.agent.profile.model ? { model: run.agent.profile.model } : {}), task: run.task.id },
      estimate: estimateTask({ run, record, options }),
    };
  });

  const states = request.checkCache === false || !inputs.some((input) => input.agent) ? undefined : await cacheStates(request, projectGraph, taskGraph, nxJson);
  const withCache = inputs.map((input) => {
    const state = states?.get(input.id);
    return state ? { ...input, cached: state.cached, ...(state.note ? { cacheNote: state.note } : {}) } : input;
  });
  const parallel = request.parallel === undefined ? defaultParallel(nxJson.parallel) : request.parallel;
  return { plan: buildPlan(withCache, parallel, sortConflicts(conflicts)), ...(firstOptions ? { options: firstOptions } : {}) };
}

async function cacheStates(
  request: CollectPlanRequest,
  projectGraph: ProjectGraph,
  taskGraph: TaskGraph,
  nxJson: Parameters<typeof findCacheStates>[0]['nxJson'],
): Promise<Map<string, TaskCacheState>> {
  return findCacheStates({ projectGraph, taskGraph, nxJson, skipRemoteCache: request.skipRemoteCache, skipNxCache: request.skipNxCache });
}

function readParsed(workspaceRoot: string, spec: string): ParsedSpecFile | undefined {
  try {
    return parseSpecFile(spec, readFileSync(join(workspaceRoot, spec), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Nx runs 3 tasks at a time unless nx.json says otherwise. */
function defaultParallel(configured: number | undefined): number {
  return typeof configured === 'number' && configured > 0 ? configured : 3;
}

function sortConflicts(conflicts: PlanConflict[]): PlanConflict[] {
  const key = (conflict: PlanConflict) => `${conflict.kind}\0${conflict.tasks.join('\0')}`;
  return [...conflicts].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
