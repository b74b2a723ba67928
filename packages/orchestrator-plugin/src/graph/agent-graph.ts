import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import { patternOutsideWorkspace } from '../task-spec/path-safety';
import type { SubagentProfile } from '../task-spec/parse-subagent-file';
import type { NormalizedPluginOptions } from '../task-spec/plugin-options';
import { describeAgentWarning } from '../task-spec/provider-capabilities';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import type { TaskSpec } from '../task-spec/schema';
import type { SpecProblem } from '../task-spec/spec-error';
import { checkParallelClaims } from './check-parallel-claims';
import { findCycles } from './find-cycles';
import { resolveDependencies } from './resolve-dependencies';
import { collectClaims, type SpecProject, type TaskEntry } from './task-claims';
import { compareText, parseTaskReference, taskKey, type TaskKey } from './task-key';
import { aggregateTarget, closedTarget, errorTarget, taskTarget, type AgentTargetConfiguration } from './targets';
import { resolveTask } from './resolve-task-run';
import { OutputIndex, resolvePattern } from './upstream-outputs';
import { checkWriteConflicts, writeFactsOf } from './write-conflicts';
import { quote } from '../task-spec/bounded-text';

export type { SpecProject } from './task-claims';

export interface SpecFileInput {
  parsed: ParsedSpecFile;
  project: SpecProject;
}

/** What one spec file contributes to its project. */
export interface AgentGraphFile {
  file: string;
  project: SpecProject;
  targets: Record<string, AgentTargetConfiguration>;
  /** Target names in the order they should be listed in `nx show project`. */
  targetGroup: string[];
}

/** What the plugin layer read from the workspace besides the specs. */
export interface WorkspaceFacts {
  /** Profiles from `.claude/agents/*.md`. */
  subagents: readonly SubagentProfile[];
  /** npm packages the workspace declares and locks (root package.json + a lockfile). */
  lockedPackages: ReadonlySet<string>;
  /**
   * Where a workspace-relative path really leads when a symbolic link on the way takes it out of
   * the workspace (the real path), else undefined. Only the plugin layer can read the disk.
   */
  realPathOutside?: (path: string) => string | undefined;
}

const NO_WORKSPACE_FACTS: WorkspaceFacts = { subagents: [], lockedPackages: new Set() };

export interface AgentGraph {
  files: AgentGraphFile[];
  /** Errors: each one turns its task (or its file) into a target that fails with it. */
  problems: SpecProblem[];
  /** Reported, but the tasks still run (a parallelWith claim the edges contradict). */
  warnings: SpecProblem[];
}

/**
 * Pure: parsed spec files and options in, targets and problems out. Validates what needs
 * every file at once (duplicate ids, unknown dependencies, cycles) and never lets a bad
 * task take the graph down: a bad task becomes a target that fails with its problem,
 * and its bad edges are dropped so Nx's task graph stays acyclic.
 */
export function buildAgentGraph(
  inputs: readonly SpecFileInput[],
  options: NormalizedPluginOptions,
  workspace: WorkspaceFacts = NO_WORKSPACE_FACTS,
): AgentGraph {
  const sorted = [...inputs].sort((a, b) => compareText(a.parsed.file, b.parsed.file));
  const problems: SpecProblem[] = sorted.flatMap((input) => input.parsed.problems);

  const { claims, duplicates } = collectClaims(sorted);
  const failed = new Map<TaskKey, SpecProblem[]>();
  for (const { parsed, project } of sorted) {
    for (const problem of parsed.problems) if (problem.taskId) record(failed, taskKey(project.name, problem.taskId), problem);
  }
  const fail = (key: TaskKey, problem: SpecProblem) => {
    problems.push(problem);
    record(failed, key, problem);
  };
  for (const { key, problem } of duplicates) fail(key, problem);
  const idsByProject = new Map<string, Set<string>>();
  for (const list of claims.values()) {
    const { project, id } = list[0];
    const ids = idsByProject.get(project.name);
    if (ids) ids.add(id);
    else idsByProject.set(project.name, new Set([id]));
  }

  // Resolve references; an unknown one is reported with the closest match, and the task keeps its valid edges.
  const unique = [...claims.values()].filter((list) => list.length === 1 && list[0].entry).map((list) => list[0].entry!);
  const { edges, unknown } = resolveDependencies(unique, claims, idsByProject, options.unknownDependencies);
  const warnings: SpecProblem[] = sorted.flatMap((input) => input.parsed.notes ?? []);
  for (const { key, problem } of unknown) {
    if (options.unknownDependencies === 'warn') warnings.push(problem);
    else fail(key, problem);
  }

  const { cycles, onCycle } = findCycles(edges);
  for (const cycle of cycles) {
    const projects = new Set(cycle.map((key) => parseTaskReference(key, '').project));
    const spelled = cycle.map((key) => (projects.size === 1 ? parseTaskReference(key, '').id : key)).join(' -> ');
    for (const key of new Set(cycle)) {
      const { task } = claims.get(key)![0].entry!;
      fail(key, { code: 'cycle', file: task.file, line: task.line, taskId: task.id, message: `dependency cycle: ${spelled}` });
    }
  }

  warnings.push(...checkParallelClaims(unique, edges));

  // Paths a task names must stay inside the workspace: outputs are restored there, writes are edited, inputs are read.
  for (const entry of unique) for (const problem of pathProblems(entry, workspace)) fail(entry.key, problem);

  // The per-task half of validation (safe project name, agent), shared with the executor.
  const runs = new Map<TaskKey, ResolvedTaskRun>();
  for (const entry of unique) {
    const resolution = resolveTask(entry.task, { project: entry.project, options, subagents: workspace.subagents });
    if (resolution.ok) {
      runs.set(entry.key, resolution.run);
      const { task, agent } = resolution.run;
      for (const warning of resolution.run.warnings) {
        warnings.push({
          code: 'unsupported-setting',
          file: task.file,
          line: task.line,
          taskId: task.id,
          message: `task "${task.id}": ${describeAgentWarning(warning, agent.provider, agent.profile)}`,
        });
      }
    } else for (const problem of resolution.problems) fail(entry.key, problem);
  }

  // Overlapping writers that nothing orders: an edge in declaration order, or both fail (the conflicts option).
  const writeCheck = checkWriteConflicts({
    tasks: unique
      .filter((entry) => runs.has(entry.key) && !failed.has(entry.key) && !entry.task.closed)
      .map(({ key, task, project }) => ({ key, task, projectRoot: project.root })),
    edges,
    mode: options.conflicts,
  });
  for (const { task, after } of writeCheck.serializations) edges.get(task)!.push(after);
  for (const { key, problem } of writeCheck.problems) fail(key, problem);
  warnings.push(...writeCheck.warnings);

  // Context inputs written by an upstream task are keyed through its outputs (see taskTarget).
  const outputIndex = new OutputIndex<TaskKey>();
  for (const entry of unique)
    outputIndex.add(
      entry.key,
      entry.task.outputs.map((output) => resolvePattern(output, entry.project.root)),
    );
  const inputsProducedUpstream = (task: TaskSpec, key: TaskKey, root: string): Set<string> =>
    new Set(
      task.inputs.filter((input) => outputIndex.producers(resolvePattern(input, root)).some((producer) => producer !== key && reaches(edges, key, producer))),
    );

  // Targets, file by file; the aggregate comes from the first file of each project.
  const seenProjects = new Set<string>();
  // A project with an analysis task counts as having nodes before its list exists: its aggregate (in every hash of
  // its tasks) must not change the moment the list appears, or the analysis task would run again in the next invocation.
  const nodeOwners = new Set(
    sorted.flatMap(({ project, parsed }) => [
      ...(project.node ? [project.node.owner] : []),
      ...(parsed.tasks.some((task) => task.produces !== undefined) ? [project.node?.owner ?? project.name] : []),
    ]),
  );
  // Names of file-level error targets per project. Nx merges same-name targets of one project,
  // so a name a task or an earlier file already has would hide that target's error (or fail a valid task).
  const fileErrorIds = new Map<string, Set<string>>();
  const files: AgentGraphFile[] = sorted.map(({ parsed, project }) => {
    const targets: Record<string, AgentTargetConfiguration> = {};
    const group: string[] = [];
    if (!seenProjects.has(project.name)) {
      seenProjects.add(project.name);
      targets[options.aggregateTarget] = aggregateTarget(options, project.name, {
        hasNodes: nodeOwners.has(project.name),
        nodeSpec: project.node ? parsed.file : undefined,
      });
      group.push(options.aggregateTarget);
    }
    const ids = [...new Set([...parsed.tasks.map((task) => task.id), ...parsed.problems.flatMap((problem) => (problem.taskId ? [problem.taskId] : []))])];
    const tasksById = new Map(parsed.tasks.map((task) => [task.id, task]));
    for (const id of ids) {
      const key = taskKey(project.name, id);
      const name = options.targetPrefix + id;
      const taskProblems = failed.get(key);
      const task = tasksById.get(id);
      // A failed task keeps its edges to tasks that exist (only a cycle's own edges are dropped, so Nx's graph stays acyclic).
      const upstream = (onCycle.has(key) ? [] : (edges.get(key) ?? [])).map((target) => parseTaskReference(target, ''));
      targets[name] =
        taskProblems || !task
          ? errorTarget(parsed.file, id, taskProblems ?? [], upstream, options, project.name)
          : task.closed || task.subtasks
            ? closedTarget(runs.get(key)!, upstream, options)
            : taskTarget(
                {
                  run: runs.get(key)!,
                  upstream,
                  inputsProducedUpstream: inputsProducedUpstream(task, key, project.root),
                  lockedPackages: workspace.lockedPackages,
                  writeFacts: writeFactsOf(writeCheck, key),
                  inProjectNode: project.node !== undefined,
                },
                options,
              );
      group.push(name);
    }
    const orphans = parsed.problems.filter((problem) => !problem.taskId);
    if (orphans.length) {
      const taken = fileErrorIds.get(project.name) ?? new Set<string>();
      fileErrorIds.set(project.name, taken);
      const stem = invalidFileTargetId(parsed);
      let id = stem;
      for (let suffix = 2; taken.has(id) || idsByProject.get(project.name)?.has(id); suffix++) id = `${stem}-${suffix}`;
      taken.add(id);
      const name = options.targetPrefix + id;
      targets[name] = errorTarget(parsed.file, undefined, orphans);
      group.push(name);
    }
    return { file: parsed.file, project, targets, targetGroup: group };
  });

  return { files, problems: sortProblems(problems), warnings: sortProblems(warnings) };
}

/** Whether `to` is reachable from `from` along dependency edges. */
function reaches(edges: ReadonlyMap<TaskKey, readonly TaskKey[]>, from: TaskKey, to: TaskKey): boolean {
  const seen = new Set<TaskKey>();
  const stack = [...(edges.get(from) ?? [])];
  while (stack.length) {
    const next = stack.pop()!;
    if (next === to) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(edges.get(next) ?? []));
  }
  return false;
}

function record(map: Map<TaskKey, SpecProblem[]>, key: TaskKey, problem: SpecProblem): void {
  const list = map.get(key);
  if (list) list.push(problem);
  else map.set(key, [problem]);
}

const PATH_FIELDS = ['outputs', 'writes', 'inputs'] as const;

/** Each path of a task that leaves the workspace, by name or through a symbolic link. */
function pathProblems(entry: TaskEntry, workspace: WorkspaceFacts): SpecProblem[] {
  const problems: SpecProblem[] = [];
  const { task, project } = entry;
  // The produced list is among the outputs and writes too: it is reported once, under its own field.
  const fields = [
    ...PATH_FIELDS.map((field) => ({ field, patterns: task[field].filter((pattern) => pattern !== task.produces) })),
    { field: 'produces', patterns: task.produces === undefined ? [] : [task.produces] },
  ];
  for (const { field, patterns } of fields) {
    for (const pattern of patterns) {
      const reason = patternOutsideWorkspace(pattern, project.root);
      const through = reason ? undefined : workspace.realPathOutside?.(staticFolder(resolvePattern(pattern.replace(/^!/, ''), project.root)));
      if (!reason && !through) continue;
      const why = reason ?? `a symbolic link on the way leads to ${quote(through!, 200)}, outside the workspace`;
      problems.push({
        code: 'path-outside',
        file: task.file,
        line: task.line,
        taskId: task.id,
        message: `${field} ${quote(pattern, 200)} of task ${quote(task.id)} leaves the workspace (${why}): the plugin only reads, writes and restores paths inside it`,
      });
    }
  }
  return problems;
}

/** The part of a workspace-relative pattern before its first glob character: the folder it cannot leave. */
function staticFolder(pattern: string): string {
  const glob = /[*?[\]{}]/.exec(pattern);
  return glob ? pattern.slice(0, Math.max(pattern.lastIndexOf('/', glob.index), 0)) : pattern;
}

/**
 * The id of the target that stands for a file whose problems name no task: the file's
 * own id for a `*.agent.md` (what its task would have been called), else `invalid-<name>`.
 */
function invalidFileTargetId(parsed: ParsedSpecFile): string {
  const name = parsed.file.split('/').pop()!;
  const stem = parsed.format === 'agent-md' ? name.replace(/\.agent\.md$/, '') : `invalid-${name.replace(/\.(json|ya?ml)$/, '')}`;
  return stem.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'invalid-spec';
}

function sortProblems(problems: SpecProblem[]): SpecProblem[] {
  return [...problems].sort((a, b) => compareText(a.file, b.file) || (a.line ?? 0) - (b.line ?? 0) || compareText(a.message, b.message));
}
