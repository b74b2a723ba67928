import { quote } from '../task-spec/bounded-text';
import { didYouMean } from '../task-spec/closest-match';
import type { SpecProblem } from '../task-spec/spec-error';
import type { Claim, TaskEntry } from './task-claims';
import { parseTaskReference, taskKey, type TaskKey } from './task-key';

/** Unknown references that get a "did you mean" hint per graph computation; the rest get none. */
const HINT_BUDGET = 200;

export interface ResolvedDependencies {
  /** Each valid task's edges to tasks that exist, in declaration order. */
  edges: Map<TaskKey, TaskKey[]>;
  /** Unknown references: errors (the task fails when run) or warnings (the edge is dropped), by the plugin option. */
  unknown: Array<{ key: TaskKey; problem: SpecProblem }>;
}

/**
 * Resolves every dependency reference of the valid tasks. A reference to a task that exists
 * becomes an edge; one that names nothing is reported with the closest match, and the task keeps
 * its other edges either way. Hints are bounded in work: at most {@link HINT_BUDGET} per call.
 */
export function resolveDependencies(
  entries: readonly TaskEntry[],
  claims: ReadonlyMap<TaskKey, readonly Claim[]>,
  idsByProject: ReadonlyMap<string, ReadonlySet<string>>,
  unknownDependencies: 'error' | 'warn',
): ResolvedDependencies {
  const edges = new Map<TaskKey, TaskKey[]>();
  const unknown: ResolvedDependencies['unknown'] = [];
  let hints = HINT_BUDGET;
  for (const entry of entries) {
    const targets: TaskKey[] = [];
    for (const reference of entry.task.dependsOn) {
      const { project, id } = parseTaskReference(reference, entry.project.name);
      const ids = idsByProject.get(project);
      if (ids?.has(id)) {
        targets.push(taskKey(project, id));
        continue;
      }
      const hint = hints-- > 0 ? (ids ? didYouMean(id, ids) : didYouMean(reference, claims.keys()) || didYouMean(project, idsByProject.keys())) : '';
      const what = ids ? `no task ${quote(id)} exists in project ${quote(project)}` : `no project ${quote(project)} has agent tasks`;
      // Files other tools write cite ids from elsewhere (a tracker's DOR-676): say how to run the task anyway.
      const foreign = entry.task.format !== 'agent-md' && entry.task.format !== 'task-list';
      const consequence =
        unknownDependencies === 'warn'
          ? ' The edge is dropped and the task runs (unknownDependencies: "warn").'
          : foreign
            ? ' Running the task fails until the reference is fixed, or until the plugin option unknownDependencies is "warn".'
            : '';
      unknown.push({
        key: entry.key,
        problem: {
          code: 'unknown-dependency',
          file: entry.task.file,
          line: entry.task.line,
          taskId: entry.task.id,
          message: `task ${quote(entry.task.id)} depends on ${quote(reference)}, but ${what}.${hint}${consequence}`,
        },
      });
    }
    edges.set(entry.key, targets);
  }
  return { edges, unknown };
}
