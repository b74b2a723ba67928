import { createHash } from 'node:crypto';
import { AGENT_EXECUTOR, type AgentTargetOptions } from '../task-spec/agent-target';
import { PLUGIN_NAME, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import { PROVIDER_PACKAGES, PROVIDER_SELECTING_ENV } from '../task-spec/providers';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import { patternsOverlap, resolvePattern } from './upstream-outputs';
import type { WriteFacts } from './write-conflicts';
import { nodesOfTag } from './project-node';
import type { TaskSpec } from '../task-spec/schema';
import { formatSpecProblem, type SpecProblem } from '../task-spec/spec-error';

/** The part of Nx's TargetConfiguration the plugin fills in (kept local: this layer is pure). */
export interface AgentTargetConfiguration {
  executor: string;
  options?: Record<string, unknown>;
  dependsOn?: Array<string | { projects: string[]; target: string }>;
  cache?: boolean;
  inputs?: Array<string | Record<string, unknown>>;
  outputs?: string[];
  metadata?: Record<string, unknown>;
}

const TECHNOLOGIES = ['ai-agents'];

/**
 * Nx file patterns must start with a token; a bare path in a spec is relative to the project.
 * Negations (`!path`) keep their `!`.
 */
export function toProjectPattern(pattern: string): string {
  if (pattern.startsWith('!')) return `!${toProjectPattern(pattern.slice(1))}`;
  if (pattern.startsWith('{')) return pattern;
  return `{projectRoot}/${pattern.replace(/^\.\//, '')}`;
}

/**
 * The same pattern in `{workspaceRoot}` form, for a task in a project node: Nx's hasher fails on
 * a `{projectRoot}` file set in a project that owns no file (see project-node.ts).
 */
export function toWorkspacePattern(pattern: string, projectRoot: string): string {
  if (pattern.startsWith('!')) return `!${toWorkspacePattern(pattern.slice(1), projectRoot)}`;
  if (pattern.startsWith('{workspaceRoot}')) return pattern;
  return `{workspaceRoot}/${resolvePattern(pattern, projectRoot)}`;
}

/** What a task target is built from. */
export interface TaskTargetInput {
  run: ResolvedTaskRun;
  /** Direct upstream tasks. */
  upstream: ReadonlyArray<{ project: string; id: string }>;
  /** Context inputs that a task upstream of this one (transitively) declares as its output. */
  inputsProducedUpstream: ReadonlySet<string>;
  /** npm packages the workspace locks (their versions can be part of the key). */
  lockedPackages: ReadonlySet<string>;
  /** What the conflict check found for this task (shown in the target's metadata, read by the plan). */
  writeFacts?: WriteFacts;
  /** The task is in a project node: its paths are written in `{workspaceRoot}` form. */
  inProjectNode?: boolean;
}

/**
 * The target that runs one valid task. Its cache key:
 * - the spec file (prompt and settings) and its context inputs, minus what the task itself
 *   `writes` (so a re-run after the agent edited files is still a hit);
 * - the outputs of the tasks upstream (their run records with the summaries it receives,
 *   and the files they wrote); a context input an upstream task produces is keyed through
 *   those outputs only, since Nx reads workspace files from an index taken at command start;
 * - the profile: its `.claude/agents` file, or a digest of its nx.json settings in the
 *   options (Nx hashes options into every task of the project, so only a digest goes there);
 * - the names of the env variables that select the provider's model or endpoint (never keys);
 * - the versions of the plugin and the agent's client, where the workspace locks them, and
 *   no other package (so an unrelated lockfile change re-runs nothing).
 */
export function taskTarget(
  { run, upstream, inputsProducedUpstream, lockedPackages, writeFacts, inProjectNode = false }: TaskTargetInput,
  options: NormalizedPluginOptions,
): AgentTargetConfiguration {
  const { task, agent, project: ownProject } = run;
  const nxPattern = inProjectNode ? (pattern: string) => toWorkspacePattern(pattern, ownProject.root) : toProjectPattern;
  const project = ownProject.name;
  const dependsOn: NonNullable<AgentTargetConfiguration['dependsOn']> = upstreamDependsOn(upstream, project, options, task.each);
  dependsOn.push(...task.after);
  const contextInputs = task.inputs.filter((input) => !inputsProducedUpstream.has(input));
  const targetOptions: AgentTargetOptions = {
    spec: task.file,
    task: task.id,
    ...(task.worker ? { template: task.worker.template, ...(task.worker.file !== undefined ? { file: task.worker.file } : {}) } : {}),
    ...(task.producedBy ? { producedBy: task.producedBy } : {}),
    ...(options.agents[agent.name] ? { profile: `${agent.name}:${digest(options.agents[agent.name])}` } : {}),
  };
  const packages = [PLUGIN_NAME, ...PROVIDER_PACKAGES[agent.provider]].filter((name) => lockedPackages.has(name));
  return {
    executor: AGENT_EXECUTOR,
    options: targetOptions as unknown as Record<string, unknown>,
    ...(dependsOn.length ? { dependsOn } : {}),
    cache: task.cache,
    inputs: [
      `{workspaceRoot}/${task.file}`,
      ...contextInputs.map(nxPattern),
      ...writeExclusions(task, contextInputs, ownProject.root, inProjectNode),
      ...(agent.file ? [`{workspaceRoot}/${agent.file}`] : []),
      ...(upstream.length ? [{ dependentTasksOutputFiles: '**/*', transitive: true }] : []),
      ...PROVIDER_SELECTING_ENV[agent.provider].map((name) => ({ env: name })),
      // Always present, even empty: without it Nx hashes every external dependency of the
      // workspace into every agent task, and any lockfile change would re-run them all.
      { externalDependencies: packages },
    ],
    outputs: [`{workspaceRoot}/${run.recordFolder}`, ...task.outputs.map(nxPattern)],
    metadata: {
      description: task.description ?? firstLine(task.prompt),
      technologies: TECHNOLOGIES,
      agentTask: {
        spec: task.file,
        ...(task.line !== undefined ? { line: task.line } : {}),
        agent: agent.name,
        provider: agent.provider,
        ...(task.model ? { model: task.model } : {}),
        ...(task.phase !== undefined ? { phase: task.phase, phaseName: task.phaseName } : {}),
        ...(task.writes.length ? { writes: task.writes.map(nxPattern) } : {}),
        ...writeFacts,
        ...(task.extra ? { sourceFields: task.extra } : {}),
      },
      help: {
        command: `npx nx show project ${project} --json`,
        example: {},
      },
    },
  };
}

/** Problems written into one error target's message; the rest are counted (the report has them all). */
const MAX_PROBLEMS_PER_TARGET = 20;

/**
 * `dependsOn` entries for upstream tasks: same-project ones by name, others by project, and the
 * workers of an `x/{each}` as one entry on their template's tag (see eachTag): a list would change
 * this target, and so every task of its project, whenever a worker comes or goes.
 */
function upstreamDependsOn(
  upstream: ReadonlyArray<{ project: string; id: string }>,
  project: string | undefined,
  options: NormalizedPluginOptions,
  each: TaskSpec['each'] = [],
): Array<string | { projects: string[]; target: string }> {
  const byTag = new Set(each.flatMap((group) => group.workers.map((worker) => (worker.includes(':') ? worker : `${project}:${worker}`))));
  const entries: Array<string | { projects: string[]; target: string }> = each.map((group) => ({
    projects: [`tag:${group.tag}`],
    target: options.targetPrefix + group.template,
  }));
  for (const { project: upstreamProject, id } of upstream) {
    if (byTag.has(`${upstreamProject}:${id}`)) continue;
    entries.push(upstreamProject === project ? options.targetPrefix + id : { projects: [upstreamProject], target: options.targetPrefix + id });
  }
  return entries;
}

/**
 * A target standing for an invalid task (or file): running it fails with the problem. It keeps
 * the task's edges to tasks that exist, so the graph still shows where it sits.
 */
export function errorTarget(
  file: string,
  id: string | undefined,
  problems: readonly SpecProblem[],
  upstream: ReadonlyArray<{ project: string; id: string }> = [],
  options?: NormalizedPluginOptions,
  project?: string,
): AgentTargetConfiguration {
  const shown = problems.slice(0, MAX_PROBLEMS_PER_TARGET).map(formatSpecProblem);
  if (problems.length > MAX_PROBLEMS_PER_TARGET)
    shown.push(`... and ${(problems.length - MAX_PROBLEMS_PER_TARGET).toLocaleString('en-US')} more problems in ${file}`);
  const message = shown.join('\n');
  const targetOptions: AgentTargetOptions = { spec: file, ...(id ? { task: id } : {}), error: message };
  const dependsOn = options && upstream.length ? upstreamDependsOn(upstream, project, options) : [];
  return {
    executor: AGENT_EXECUTOR,
    options: targetOptions as unknown as Record<string, unknown>,
    ...(dependsOn.length ? { dependsOn } : {}),
    cache: false,
    metadata: {
      description: `Invalid agent task spec: ${problems[0]?.message ?? file}`,
      technologies: TECHNOLOGIES,
      agentTask: { spec: file, invalid: true },
    },
  };
}

/**
 * A task that runs no agent itself: one its source marks as finished (task-master `done` or
 * `cancelled`, a checked spec-kit box), or a task-master task carried out by its subtasks. Shown
 * in the graph with its edges; a no-op, so neither the aggregate nor a dependent task starts an
 * agent for it. To run a finished task again, reopen it in its file.
 */
export function closedTarget(
  run: ResolvedTaskRun,
  upstream: ReadonlyArray<{ project: string; id: string }>,
  options: NormalizedPluginOptions,
): AgentTargetConfiguration {
  const { task, project } = run;
  const dependsOn = upstreamDependsOn(upstream, project.name, options, run.task.each);
  return {
    executor: 'nx:noop',
    ...(dependsOn.length ? { dependsOn } : {}),
    metadata: {
      description: task.closed
        ? `${task.closed} in ${task.file}, not run: ${task.description ?? firstLine(task.prompt)}`
        : `Carried out by its ${task.subtasks!.length} subtasks: ${task.description ?? firstLine(task.prompt)}`,
      technologies: TECHNOLOGIES,
      agentTask: {
        spec: task.file,
        ...(task.line !== undefined ? { line: task.line } : {}),
        ...(task.closed ? { closed: task.closed } : { subtasks: task.subtasks }),
        ...(task.phase !== undefined ? { phase: task.phase, phaseName: task.phaseName } : {}),
        ...(task.extra ? { sourceFields: task.extra } : {}),
      },
    },
  };
}

/** The per-project target that runs every agent task of the project. */
export function aggregateTarget(
  options: NormalizedPluginOptions,
  project: string,
  { hasNodes = false, nodeSpec }: { hasNodes?: boolean; nodeSpec?: string } = {},
): AgentTargetConfiguration {
  return {
    executor: 'nx:noop',
    // A glob, not a list: several spec files feed one project and Nx replaces merged arrays. The
    // project's nodes (file workers, produced lists) by their tag, which no node's coming changes.
    dependsOn: [`${options.targetPrefix}*`, ...(hasNodes ? [{ projects: [`tag:${nodesOfTag(project)}`], target: options.aggregateTarget }] : [])],
    // Nx hashes even a no-op, by default over `{projectRoot}/**/*`: that fails in a project node, which owns no file.
    // Elsewhere the default stays: `nx affected -t agent` selects an aggregate by its own inputs (Nx 24 selects tasks).
    ...(nodeSpec ? { inputs: [`{workspaceRoot}/${nodeSpec}`] } : {}),
    metadata: {
      description: `Run every agent task of ${project}, each after what it depends on`,
      technologies: TECHNOLOGIES,
    },
  };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((candidate) => candidate.trim()) ?? '';
  const plain = line.replace(/^#+\s*/, '').trim();
  return plain.length > 100 ? `${plain.slice(0, 97)}...` : plain;
}

/**
 * `!pattern` inputs for what the task writes, each only where it overlaps a context input and
 * written in that input's own form: Nx reads a project file set made only of negations as
 * "every project file but these", which would put all the project's files into the key.
 */
function writeExclusions(task: TaskSpec, contextInputs: readonly string[], projectRoot: string, inProjectNode: boolean): string[] {
  const exclusions = new Set<string>();
  const positives = contextInputs.filter((input) => !input.startsWith('!'));
  for (const write of task.writes) {
    const written = resolvePattern(write, projectRoot);
    for (const input of positives) {
      if (!patternsOverlap(written, resolvePattern(input, projectRoot))) continue;
      const inWorkspaceForm = inProjectNode || toProjectPattern(input).startsWith('{workspaceRoot}');
      const relative = projectRoot === '.' ? written : written.startsWith(`${projectRoot}/`) ? written.slice(projectRoot.length + 1) : undefined;
      if (inWorkspaceForm) exclusions.add(`!{workspaceRoot}/${written}`);
      else if (relative !== undefined) exclusions.add(`!{projectRoot}/${relative}`);
    }
  }
  return [...exclusions];
}

/** A short stable digest of a JSON value (keys sorted). */
function digest(value: unknown): string {
  const stable = (item: unknown): unknown =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.keys(item as object)
            .sort()
            .map((key) => [key, stable((item as Record<string, unknown>)[key])]),
        )
      : Array.isArray(item)
        ? item.map(stable)
        : item;
  return createHash('sha1')
    .update(JSON.stringify(stable(value)))
    .digest('hex')
    .slice(0, 12);
}
