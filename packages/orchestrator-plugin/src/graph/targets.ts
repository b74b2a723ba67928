import type { NormalizedPluginOptions } from '../spec/plugin-options';
import type { TaskSpec } from '../spec/schema';
import { formatSpecProblem, type SpecProblem } from '../spec/spec-error';

/** The executor every agent task runs with. */
export const AGENT_EXECUTOR = 'nx-agent-orchestrator:agent';

/** Where a task's run record lives, relative to the workspace root. */
export const RUN_RECORDS_DIRECTORY = '.agent-runs';

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

/** Options of an agent target: kept to what identifies the task, since Nx hashes every target's options into every task of the project. */
export interface AgentTargetOptions {
  /** Workspace-relative spec file. */
  spec: string;
  /** Task id inside it. */
  task?: string;
  /** Set when the spec is invalid: running the target fails with this message. */
  error?: string;
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

/** What a task target is built from. */
export interface TaskTargetInput {
  task: TaskSpec;
  project: { name: string; root: string };
  /** Direct upstream tasks. */
  upstream: ReadonlyArray<{ project: string; id: string }>;
  /** Context inputs that a task upstream of this one (transitively) declares as its output. */
  inputsProducedUpstream: ReadonlySet<string>;
}

/**
 * The target that runs one valid task. Its cache key: the spec file, its context inputs,
 * and the outputs of the tasks upstream (their run records with the summaries it receives,
 * and the files they wrote). A context input an upstream task produces is keyed through
 * those outputs only, since Nx reads workspace files from an index taken at command start.
 */
export function taskTarget({ task, project: ownProject, upstream, inputsProducedUpstream }: TaskTargetInput, options: NormalizedPluginOptions): AgentTargetConfiguration {
  const project = ownProject.name;
  const dependsOn: NonNullable<AgentTargetConfiguration['dependsOn']> = upstream.map(({ project: upstreamProject, id }) =>
    upstreamProject === project ? options.targetPrefix + id : { projects: [upstreamProject], target: options.targetPrefix + id },
  );
  dependsOn.push(...task.after);
  const contextInputs = task.inputs.filter((input) => !inputsProducedUpstream.has(input));
  const targetOptions: AgentTargetOptions = { spec: task.file, task: task.id };
  return {
    executor: AGENT_EXECUTOR,
    options: targetOptions as unknown as Record<string, unknown>,
    ...(dependsOn.length ? { dependsOn } : {}),
    cache: task.cache,
    inputs: [
      `{workspaceRoot}/${task.file}`,
      ...contextInputs.map(toProjectPattern),
      ...(upstream.length ? [{ dependentTasksOutputFiles: '**/*', transitive: true }] : []),
    ],
    outputs: [`{workspaceRoot}/${RUN_RECORDS_DIRECTORY}/{projectName}/${task.id}`, ...task.outputs.map(toProjectPattern)],
    metadata: {
      description: task.description ?? firstLine(task.prompt),
      technologies: TECHNOLOGIES,
      agentTask: {
        spec: task.file,
        ...(task.line !== undefined ? { line: task.line } : {}),
        agent: task.agent ?? options.defaultAgent,
        ...(task.model ? { model: task.model } : {}),
        ...(task.phase !== undefined ? { phase: task.phase, phaseName: task.phaseName } : {}),
        ...(task.writes.length ? { writes: task.writes.map(toProjectPattern) } : {}),
      },
      help: {
        command: `npx nx show project ${project} --json`,
        example: {},
      },
    },
  };
}

/** A target standing for an invalid task (or file): running it fails with the problem. */
export function errorTarget(file: string, id: string | undefined, problems: readonly SpecProblem[]): AgentTargetConfiguration {
  const message = problems.map(formatSpecProblem).join('\n');
  const targetOptions: AgentTargetOptions = { spec: file, ...(id ? { task: id } : {}), error: message };
  return {
    executor: AGENT_EXECUTOR,
    options: targetOptions as unknown as Record<string, unknown>,
    cache: false,
    metadata: {
      description: `Invalid agent task spec: ${problems[0]?.message ?? file}`,
      technologies: TECHNOLOGIES,
      agentTask: { spec: file, invalid: true },
    },
  };
}

/** The per-project target that runs every agent task of the project. */
export function aggregateTarget(options: NormalizedPluginOptions, project: string): AgentTargetConfiguration {
  return {
    executor: 'nx:noop',
    // A glob, not a list: several spec files feed one project and Nx replaces merged arrays.
    dependsOn: [`${options.targetPrefix}*`],
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
