import { compareText, type TaskKey } from './task-key';

/**
 * Dependency cycles, each spelled from its smallest key and closed (`[a, b, c, a]`), found per
 * strongly connected component (Tarjan): the shortest cycle through the component's smallest
 * key, then one through each member that cycle misses, so every key on a cycle is on a
 * reported one (failing only the spelled members would leave a second loop in the tangle).
 * Also the set of keys that sit on any cycle.
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
  const cycles: TaskKey[][] = [];
  for (const component of components) {
    const covered = new Set<TaskKey>();
    for (const member of [...component].sort()) {
      if (covered.has(member)) continue;
      const cycle = rotateToSmallest(spellCycle(component, edges, member));
      cycle.forEach((key) => covered.add(key));
      cycles.push(cycle);
    }
  }
  cycles.sort((a, b) => compareText(a.join(' '), b.join(' ')));
  return { cycles, onCycle };
}

/** A closed cycle (`[b, c, a, b]`) spelled from its smallest key (`[a, b, c, a]`). */
function rotateToSmallest(cycle: TaskKey[]): TaskKey[] {
  const open = cycle.slice(0, -1);
  const start = open.indexOf([...open].sort()[0]);
  const rotated = [...open.slice(start), ...open.slice(0, start)];
  return [...rotated, rotated[0]];
}

/** The shortest cycle through `start` inside its component, starting and ending at `start`. */
function spellCycle(component: TaskKey[], edges: ReadonlyMap<TaskKey, readonly TaskKey[]>, start: TaskKey): TaskKey[] {
  const members = new Set(component);
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
