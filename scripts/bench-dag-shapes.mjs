// The agent-like DAGs the scheduling benchmark runs, and what an ideal scheduler could do with
// them: the lower bound, a reference list schedule with exact durations (longest remaining path
// first) and the playbook's wave batching (each wave waits for the whole previous one). Pure.

/** A small seeded generator (mulberry32), so every run builds the same DAGs. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const between = (random, low, high) => low + Math.floor(random() * (high - low + 1));

/**
 * The shapes, each `{ name, tasks: [{ id, seconds, dependsOn }] }` in a topological order.
 * Durations are whole seconds, a few each, like short agent runs.
 */
export function dagShapes() {
  const random = seededRandom(11);
  const shapes = [];

  const fanOut = [];
  for (let index = 1; index <= 5; index++) fanOut.push({ id: `chain-${index}`, seconds: 3, dependsOn: index > 1 ? [`chain-${index - 1}`] : [] });
  for (let index = 1; index <= 15; index++) fanOut.push({ id: `side-${index}`, seconds: between(random, 1, 4), dependsOn: [] });
  shapes.push({ name: 'fan-out 15 + chain 5', tasks: fanOut });

  const layered = [];
  const layers = 5;
  const width = 6;
  for (let layer = 0; layer < layers; layer++) {
    for (let slot = 0; slot < width; slot++) {
      const earlier = layered.filter((task) => Number(task.id.split('-')[1]) < layer);
      const parents = layer === 0 ? [] : [...new Set(Array.from({ length: between(random, 1, 3) }, () => earlier[Math.floor(random() * earlier.length)].id))];
      // At least one parent in the layer just before, so the layers are real.
      if (layer > 0 && !parents.some((id) => id.startsWith(`layer-${layer - 1}-`))) parents[0] = `layer-${layer - 1}-${between(random, 0, width - 1)}`;
      layered.push({ id: `layer-${layer}-${slot}`, seconds: between(random, 1, 4), dependsOn: [...new Set(parents)] });
    }
  }
  shapes.push({ name: 'layered 5x6, random edges', tasks: layered });

  const diamond = [{ id: 'top', seconds: 2, dependsOn: [] }];
  for (let index = 1; index <= 12; index++) diamond.push({ id: `middle-${index}`, seconds: between(random, 1, 4), dependsOn: ['top'] });
  diamond.push({ id: 'bottom', seconds: 2, dependsOn: diamond.slice(1).map((task) => task.id) });
  shapes.push({ name: 'diamond 1 -> 12 -> 1', tasks: diamond });

  const randomDag = [];
  for (let index = 0; index < 60; index++) {
    const parents = index === 0 ? [] : Array.from({ length: between(random, 0, 2) }, () => `task-${Math.floor(random() * index)}`);
    randomDag.push({ id: `task-${index}`, seconds: between(random, 1, 2), dependsOn: [...new Set(parents)] });
  }
  shapes.push({ name: 'random 60', tasks: randomDag });
  return shapes;
}

/** Seconds of the longest dependency chain, and of all the work. */
export function criticalPathAndWork(tasks) {
  const finish = new Map();
  for (const task of tasks) finish.set(task.id, task.seconds + Math.max(0, ...task.dependsOn.map((id) => finish.get(id))));
  return { criticalPath: Math.max(...finish.values()), work: tasks.reduce((sum, task) => sum + task.seconds, 0) };
}

/** max(critical path, work / P): no schedule on P slots can be shorter. */
export function lowerBound(tasks, parallel) {
  const { criticalPath, work } = criticalPathAndWork(tasks);
  return Math.max(criticalPath, work / parallel);
}

/** Each task's own duration plus the longest chain after it. */
function remainingPaths(tasks) {
  const remaining = new Map();
  for (const task of [...tasks].reverse()) {
    const after = tasks.filter((other) => other.dependsOn.includes(task.id)).map((other) => remaining.get(other.id));
    remaining.set(task.id, task.seconds + Math.max(0, ...after));
  }
  return remaining;
}

/**
 * Event simulation of a list schedule on P slots: whenever a slot is free, the first ready task
 * by `priority` (larger first; ties by list order) starts. Returns the span in seconds.
 */
function listSchedule(tasks, parallel, priority) {
  const ends = new Map();
  const started = new Set();
  let running = [];
  let now = 0;
  while (ends.size < tasks.length) {
    const ready = tasks
      .filter((task) => !started.has(task.id) && task.dependsOn.every((id) => ends.has(id) && ends.get(id) <= now))
      .sort((first, second) => priority(second) - priority(first));
    for (const task of ready.slice(0, parallel - running.length)) {
      started.add(task.id);
      running.push({ id: task.id, end: now + task.seconds });
    }
    now = Math.min(...running.map((entry) => entry.end));
    for (const entry of running.filter((candidate) => candidate.end === now)) ends.set(entry.id, entry.end);
    running = running.filter((entry) => entry.end > now);
  }
  return Math.max(...ends.values());
}

/** The reference: a list schedule with exact durations, longest remaining path first. */
export function referenceSchedule(tasks, parallel) {
  const remaining = remainingPaths(tasks);
  return listSchedule(tasks, parallel, (task) => remaining.get(task.id));
}

/**
 * The playbook's wave batching: wave n holds the tasks whose longest chain of dependencies has
 * n links; each wave starts when the whole previous one has ended, and runs its tasks P at a
 * time, longest first (the best a wave can do). Returns the span in seconds.
 */
export function waveSchedule(tasks, parallel) {
  const level = new Map();
  for (const task of tasks) level.set(task.id, 1 + Math.max(-1, ...task.dependsOn.map((id) => level.get(id))));
  let span = 0;
  for (let wave = 0; wave <= Math.max(...level.values()); wave++) {
    const members = tasks.filter((task) => level.get(task.id) === wave).map((task) => ({ ...task, dependsOn: [] }));
    span += listSchedule(members, parallel, (task) => task.seconds);
  }
  return span;
}

/** A Makefile that runs the DAG with `sleep`, one target per task, `all` needing every one. */
export function makefileFor(tasks) {
  const lines = [`all: ${tasks.map((task) => task.id).join(' ')}`, ''];
  for (const task of tasks) lines.push(`${task.id}: ${task.dependsOn.join(' ')}`, `\t@sleep ${task.seconds}`, '');
  lines.push(`.PHONY: all ${tasks.map((task) => task.id).join(' ')}`, '');
  return lines.join('\n');
}
