import type { TaskSpec } from '../task-spec/schema';
import { quote } from '../task-spec/bounded-text';
import type { SpecProblem } from '../task-spec/spec-error';
import { parseTaskReference, taskKey, type TaskKey } from './task-key';

/**
 * `parallelWith` in a decomposition is a claim, not an instruction: Nx decides what runs
 * together from the edges. A claimed-parallel pair that the edges in fact order (one reaches
 * the other) is reported with the path that orders it, as is a claim naming an unknown task.
 */
export function checkParallelClaims(
  entries: ReadonlyArray<{ key: TaskKey; task: TaskSpec; project: { name: string } }>,
  edges: ReadonlyMap<TaskKey, readonly TaskKey[]>,
): SpecProblem[] {
  const warnings: SpecProblem[] = [];
  const reported = new Set<string>();
  const claimsOf = new Map(entries.map(({ key, task }) => [key, new Set(task.parallelWith ?? [])]));
  for (const { key, task, project } of entries) {
    for (const other of task.parallelWith ?? []) {
      const otherKey = taskKey(project.name, other);
      const pair = [key, otherKey].sort().join(' ');
      if (reported.has(pair)) continue;
      reported.add(pair);
      const base = { code: 'parallel-claim' as const, file: task.file, line: task.line, taskId: task.id };
      if (!edges.has(otherKey)) {
        warnings.push({
          ...base,
          message: `task ${quote(task.id)} claims to run in parallel with ${quote(other)}, which is not a task of project ${quote(project.name)}`,
        });
        continue;
      }
      const forward = findPath(edges, key, otherKey);
      const path = forward ?? findPath(edges, otherKey, key);
      if (path) {
        const spelled = path.map((step) => parseTaskReference(step, '').id).join(' -> ');
        // Who depends on whom, in the words of the file: "4.3 depends on 4.1", through the chain when it is longer.
        const [dependent, dependency] = forward ? [task.id, other] : [other, task.id];
        const how =
          path.length > 2 ? `${quote(dependent)} depends on ${quote(dependency)} (${spelled})` : `${quote(dependent)} depends on ${quote(dependency)}`;
        const mutual = claimsOf.get(otherKey)?.has(task.id);
        const claim = mutual ? `${quote(task.id)} and ${quote(other)} list each other as parallel` : `${quote(task.id)} lists ${quote(other)} as parallel`;
        warnings.push({ ...base, message: `${claim}, but ${how}: they will run one after the other` });
      }
    }
  }
  return warnings;
}

/** A dependency path from `from` to `to` (following dependsOn), or undefined. */
function findPath(edges: ReadonlyMap<TaskKey, readonly TaskKey[]>, from: TaskKey, to: TaskKey): TaskKey[] | undefined {
  const previous = new Map<TaskKey, TaskKey>();
  const queue = [from];
  const seen = new Set([from]);
  while (queue.length) {
    const node = queue.shift()!;
    for (const next of edges.get(node) ?? []) {
      if (seen.has(next)) continue;
      previous.set(next, node);
      if (next === to) {
        const path = [to];
        while (path[0] !== from) path.unshift(previous.get(path[0])!);
        return path;
      }
      seen.add(next);
      queue.push(next);
    }
  }
  return undefined;
}
