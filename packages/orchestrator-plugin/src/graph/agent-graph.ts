import { didYouMean } from '../task-spec/closest-match';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import type { SubagentProfile } from '../task-spec/parse-subagent-file';
import type { NormalizedPluginOptions } from '../task-spec/plugin-options';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import type { TaskSpec } from '../task-spec/schema';
import type { SpecProblem } from '../task-spec/spec-error';
import { checkParallelClaims } from './check-parallel-claims';
import { findCycles } from './find-cycles';
import { compareText, parseTaskReference, taskKey, type TaskKey } from './task-key';
import { aggregateTarget, errorTarget, taskTarget, type AgentTargetConfiguration } from './targets';
import { resolveTask } from './resolve-task-run';
import { OutputIndex, resolvePattern } from './upstream-outputs';
import { checkWriteConflicts, writeFactsOf } from './write-conflicts';

/** The project a spec file belongs to, as the plugin layer found it on disk. */
export interface SpecProject {
  root: string;
  name: string;
  /** No project.json or package.json encloses the file: the plugin defines (and names) the project. */
  inferred: boolean;
}

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
}

const NO_WORKSPACE_FACTS: WorkspaceFacts = { subagents: [], lockedPackages: new Set() };

export interface AgentGraph {
  files: AgentGraphFile[];
  /** Errors: each one turns its task (or its file) into a target that fails with it. */
  problems: SpecProblem[];
  /** Reported, but the tasks still run (a parallelWith claim the edges contradict). */
  warnings: SpecProblem[];
}

interface TaskEntry {
  key: TaskKey;
  task: TaskSpec;
  project: SpecProject;
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

  // Every place that claims a task id: valid tasks, and problems that name their task.
  const claims = new Map<TaskKey, Claim[]>();
  for (const { parsed, project } of sorted) {
    for (const task of parsed.tasks) {
      const key = taskKey(project.name, task.id);
      claims.set(key, [...(claims.get(key) ?? []), { file: parsed.file, line: task.line, id: task.id, project, entry: { key, task, project } }]);
    }
    // A task whose entry has problems still claims its id, once per file.
    for (const problem of parsed.problems) {
      if (!problem.taskId) continue;
      const key = taskKey(project.name, problem.taskId);
      const list = claims.get(key) ?? [];
      if (!list.some((claim) => claim.file === parsed.file)) claims.set(key, [...list, { file: parsed.file, line: problem.line, id: problem.taskId, project }]);
    }
  }
  const failed = new Map<TaskKey, SpecProblem[]>();
  for (const { parsed, project } of sorted) {
    for (const problem of parsed.problems) if (problem.taskId) record(failed, taskKey(project.name, problem.taskId), problem);
  }
  const fail = (key: TaskKey, problem: SpecProblem) => {
    problems.push(problem);
    record(failed, key, problem);
  };
  for (const [key, list] of claims) {
    if (list.length < 2) continue;
    const places = list.map((claim) => `${claim.file}${claim.line ? `:${claim.line}` : ''}`).join(', ');
    for (const claim of list) {
      fail(key, {
        code: 'duplicate-id',
        file: claim.file,
        line: claim.line,
        taskId: claim.id,
        message: `task id "${claim.id}" is used more than once in project "${claim.project.name}" (${places}): ids must be unique per project`,
      });
    }
  }
  const idsByProject = new Map<string, Set<string>>();
  for (const list of claims.values()) {
    const { project, id } = list[0];
    idsByProject.set(project.name, (idsByProject.get(project.name) ?? new Set()).add(id));
  }

  // Resolve references; an unknown one fails the task and names the closest match.
  const edges = new Map<TaskKey, TaskKey[]>();
  const unique = [...claims.values()].filter((list) => list.length === 1 && list[0].entry).map((list) => list[0].entry!);
  for (const entry of unique) {
    const targets: TaskKey[] = [];
    for (const reference of entry.task.dependsOn) {
      const { project, id } = parseTaskReference(reference, entry.project.name);
      const ids = idsByProject.get(project);
      if (ids?.has(id)) {
        targets.push(taskKey(project, id));
        continue;
      }
      const hint = ids ? didYouMean(id, ids) : didYouMean(reference, claims.keys()) || didYouMean(project, idsByProject.keys());
      const what = ids ? `no task "${id}" exists in project "${project}"` : `no project "${project}" has agent tasks`;
      fail(entry.key, {
        code: 'unknown-dependency',
        file: entry.task.file,
        line: entry.task.line,
        taskId: entry.task.id,
        message: `task "${entry.task.id}" depends on "${reference}", but ${what}.${hint}`,
      });
    }
    edges.set(entry.key, targets);
  }

  const { cycles } = findCycles(edges);
  for (const cycle of cycles) {
    const projects = new Set(cycle.map((key) => parseTaskReference(key, '').project));
    const spelled = cycle.map((key) => (projects.size === 1 ? parseTaskReference(key, '').id : key)).join(' -> ');
    for (const key of new Set(cycle)) {
      const { task } = claims.get(key)![0].entry!;
      fail(key, { code: 'cycle', file: task.file, line: task.line, taskId: task.id, message: `dependency cycle: ${spelled}` });
    }
  }

  const warnings = checkParallelClaims(unique, edges);

  // The per-task half of validation (safe project name, agent), shared with the executor.
  const runs = new Map<TaskKey, ResolvedTaskRun>();
  for (const entry of unique) {
    const resolution = resolveTask(entry.task, { project: entry.project, options, subagents: workspace.subagents });
    if (resolution.ok) runs.set(entry.key, resolution.run);
    else for (const problem of resolution.problems) fail(entry.key, problem);
  }

  // Overlapping writers that nothing orders: an edge in declaration order, or both fail (the conflicts option).
  const writeCheck = checkWriteConflicts({
    tasks: unique.filter((entry) => runs.has(entry.key) && !failed.has(entry.key)).map(({ key, task, project }) => ({ key, task, projectRoot: project.root })),
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
  // Names of file-level error targets per project. Nx merges same-name targets of one project,
  // so a name a task or an earlier file already has would hide that target's error (or fail a valid task).
  const fileErrorIds = new Map<string, Set<string>>();
  const files: AgentGraphFile[] = sorted.map(({ parsed, project }) => {
    const targets: Record<string, AgentTargetConfiguration> = {};
    const group: string[] = [];
    if (!seenProjects.has(project.name)) {
      seenProjects.add(project.name);
      targets[options.aggregateTarget] = aggregateTarget(options, project.name);
      group.push(options.aggregateTarget);
    }
    const ids = [...new Set([...parsed.tasks.map((task) => task.id), ...parsed.problems.flatMap((problem) => (problem.taskId ? [problem.taskId] : []))])];
    for (const id of ids) {
      const key = taskKey(project.name, id);
      const name = options.targetPrefix + id;
      const taskProblems = failed.get(key);
      const task = parsed.tasks.find((candidate) => candidate.id === id);
      targets[name] =
        taskProblems || !task
          ? errorTarget(parsed.file, id, taskProblems ?? [])
          : taskTarget(
              {
                run: runs.get(key)!,
                upstream: (edges.get(key) ?? []).map((target) => parseTaskReference(target, '')),
                inputsProducedUpstream: inputsProducedUpstream(task, key, project.root),
                lockedPackages: workspace.lockedPackages,
                writeFacts: writeFactsOf(writeCheck, key),
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

interface Claim {
  file: string;
  line?: number;
  id: string;
  project: SpecProject;
  /** Set when the claim is a valid task; a claim from a problem has none. */
  entry?: TaskEntry;
}

function record(map: Map<TaskKey, SpecProblem[]>, key: TaskKey, problem: SpecProblem): void {
  map.set(key, [...(map.get(key) ?? []), problem]);
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
