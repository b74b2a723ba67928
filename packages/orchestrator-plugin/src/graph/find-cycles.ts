import type { TaskKey } from './task-key';

/**
 * Every dependency cycle, each spelled from its smallest key and closed (`[a, b, c, a]`),
 * found per strongly connected component (Tarjan) so each tangle is reported once, plus
 * the set of keys that sit on any cycle.
 */
export function findCycles(edges: ReadonlyMap<TaskKey, readonly TaskKey[]>): { cycles: TaskKey[][]; onCycle: Set<TaskKey> } {
  const index = new Map<TaskKey, number>();
  const lowLink = new Map<TaskKey, number>();
  const stack: TaskKey[] = [];
  const onStack = new Set<TaskKey>();
  const components: TaskKey[][] = [];
  let counter = 0;

  // Iterative Tarjan: a 1,000-task chain must not overflow the call stack.
  for (const start of [...edges.keys()].sort()) {
    if (index.has(start)) continue;
    const work: Array<{ node: TaskKey; next: number }> = [{ node: start, next: 0 }];
    index.set(start, counter);
    lowLink.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const frame = work[work.length - 1];
      const successors = edges.get(frame.node) ?? [];
      if (frame.next < successors.length) {
        const successor = successors[frame.next++];
        if (!edges.has(successor)) continue;
        if (!index.has(successor)) {
          index.set(successor, counter);
          lowLink.set(successor, counter++);
          stack.push(successor);
          onStack.add(successor);
          work.push({ node: successor, next: 0 });
        } else if (onStack.has(successor)) {
          lowLink.set(frame.node, Math.min(lowLink.get(frame.node)!, index.get(successor)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        lowLink.set(parent, Math.min(lowLink.get(parent)!, lowLink.get(frame.node)!));
      }
      if (lowLink.get(frame.node) === index.get(frame.node)) {
        const component: TaskKey[] = [];
        let member: TaskKey;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfLoop = component.length === 1 && (edges.get(component[0]) ?? []).includes(component[0]);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }

  const onCycle = new Set(components.flat());
  const cycles = components.map((component) => spellCycle(component, edges)).sort((a, b) => a[0].localeCompare(b[0]));
  return { cycles, onCycle };
}

/** One concrete cycle through a component, starting and ending at its smallest key. */
function spellCycle(component: TaskKey[], edges: ReadonlyMap<TaskKey, readonly TaskKey[]>): TaskKey[] {
  const members = new Set(component);
  const start = [...component].sort()[0];
  // Breadth-first search for the shortest way back to the start inside the component.
  const previous = new Map<TaskKey, TaskKey>();
  const queue: TaskKey[] = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const successor of [...(edges.get(node) ?? [])].sort()) {
      if (!members.has(successor)) continue;
      if (successor === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(previous.get(path[0])!);
        return [...path, start];
      }
      if (!previous.has(successor)) {
        previous.set(successor, node);
        queue.push(successor);
      }
    }
  }
  return [start, start];
}
