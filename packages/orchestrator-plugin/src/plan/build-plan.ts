import type { TaskEstimate } from './estimate-task';

/** A cache hit Nx would replay: from the local cache or the remote one. */
export type CacheState = false | 'local' | 'remote';

/** One task of the selection, as the plan needs it. */
export interface PlanTaskInput {
  /** Nx task id, `project:target`. */
  id: string;
  /** The Nx task ids it depends on (within the selection). */
  dependencies: readonly string[];
  cached: CacheState;
  /** Why it cannot be a cache hit, when that is known (e.g. an upstream task runs). */
  cacheNote?: string;
  /** Agent tasks only: the agent and its estimate. Other tasks (a build in `after`) cost nothing here. */
  agent?: { name: string; provider: string; model?: string; task: string };
  estimate?: TaskEstimate;
  /** Set for an invalid agent task: running it fails with this message. */
  invalid?: string;
}

/** A conflict between two tasks' writes or a race, as the graph layer resolved it. */
export interface PlanConflict {
  kind: 'serialized' | 'race';
  /** serialized: [earlier, later] (later runs after earlier); race: [reader, writer]. */
  tasks: [string, string];
  path?: string;
}

export interface PlanTask {
  id: string;
  cached: CacheState;
  cacheNote?: string;
  agent?: PlanTaskInput['agent'];
  invalid?: string;
  /** Topological level: 0 for tasks that depend on nothing in the selection. */
  level: number;
  estimate: { durationMs: number; tokens: number; inputTokens: number; outputTokens: number; cost: number | null; source: TaskEstimate['source'] | 'none' };
}

export interface Plan {
  /** The `--parallel` the batches were cut for; null for unlimited. */
  parallel: number | null;
  /** What can run together: each topological level, cut into groups of at most `parallel` tasks that would run. */
  batches: string[][];
  /** The longest dependency chain by estimated duration (cache hits count as instant). */
  criticalPath: string[];
  conflicts: PlanConflict[];
  tasks: PlanTask[];
  totals: {
    tasks: number;
    agentTasks: number;
    /** Agent tasks that would start an agent: neither a cache hit nor invalid. */
    toRun: number;
    cached: number;
    invalid: number;
    /** Sums over the agent tasks that would run. */
    durationMs: number;
    tokens: number;
    cost: number;
    /** Tasks that would run whose cost is unknown (not in `cost`). */
    unpricedTasks: number;
    criticalPathMs: number;
    /** An estimate of the run's wall-clock time at `parallel`, scheduling longest path first. */
    wallClockMs: number;
    /** What the cache hits would have cost had they run. */
    savedByCache: { durationMs: number; tokens: number; cost: number };
  };
}

/**
 * The plan of a selection of tasks: topological levels and batches, the critical path, the
 * totals of what would run. Pure; the tasks must form a DAG (Nx refuses a cyclic task graph).
 */
export function buildPlan(inputs: readonly PlanTaskInput[], parallel: number | null, conflicts: readonly PlanConflict[] = []): Plan {
  const byId = new Map(inputs.map((input) => [input.id, input]));
  const dependenciesOf = (id: string) => byId.get(id)!.dependencies.filter((dependency) => byId.has(dependency));
  const runs = (input: PlanTaskInput) => !input.cached && !input.invalid;
  const cost = (input: PlanTaskInput) => (input.agent && runs(input) ? (input.estimate?.durationMs ?? 0) : 0);

  const levels = new Map<string, number>();
  const levelOf = (id: string): number => {
    if (levels.has(id)) return levels.get(id)!;
    const level = Math.max(-1, ...dependenciesOf(id).map(levelOf)) + 1;
    levels.set(id, level);
    return level;
  };
  // Longest chain ending at each task, and the one starting at it (the scheduling priority).
  const finish = new Map<string, { length: number; previous?: string }>();
  const finishOf = (id: string): number => {
    if (finish.has(id)) return finish.get(id)!.length;
    let best: { length: number; previous?: string } = { length: 0 };
    for (const dependency of dependenciesOf(id)) {
      const length = finishOf(dependency);
      // Equal durations (tasks with no estimate yet): the chain with more tasks is the one to show.
      const longer = length > best.length || (length === best.length && (best.previous === undefined || levelOf(dependency) > levelOf(best.previous)));
      if (longer) best = { length, previous: dependency };
    }
    const entry = { length: best.length + cost(byId.get(id)!), previous: best.previous };
    finish.set(id, entry);
    return entry.length;
  };
  const dependents = new Map<string, string[]>(inputs.map((input) => [input.id, []]));
  for (const input of inputs) for (const dependency of dependenciesOf(input.id)) dependents.get(dependency)!.push(input.id);
  const tail = new Map<string, number>();
  const tailOf = (id: string): number => {
    if (!tail.has(id)) tail.set(id, cost(byId.get(id)!) + Math.max(0, ...dependents.get(id)!.map(tailOf)));
    return tail.get(id)!;
  };
  const ids = inputs.map((input) => input.id).sort();
  const priority = (a: string, b: string) => tailOf(b) - tailOf(a) || (a < b ? -1 : a > b ? 1 : 0);

  const byLevel: string[][] = [];
  for (const id of ids) (byLevel[levelOf(id)] ??= []).push(id);
  const batches = byLevel.flatMap((level) => cutIntoBatches([...level].sort(priority), parallel, (id) => runs(byId.get(id)!)));

  let end = ids[0];
  for (const id of ids) if (finishOf(id) > finishOf(end) || (finishOf(id) === finishOf(end) && levelOf(id) > levelOf(end))) end = id;
  const criticalPath: string[] = [];
  for (let id: string | undefined = end; id !== undefined; id = finish.get(id)!.previous) criticalPath.unshift(id);

  const agentInputs = inputs.filter((input) => input.agent);
  const running = agentInputs.filter(runs);
  const cachedInputs = agentInputs.filter((input) => input.cached);
  const sum = (selected: PlanTaskInput[], pick: (estimate: TaskEstimate) => number) =>
    selected.reduce((total, input) => total + (input.estimate ? pick(input.estimate) : 0), 0);
  const tokens = (estimate: TaskEstimate) => estimate.tokens.input + estimate.tokens.output;

  return {
    parallel,
    batches,
    criticalPath: ids.length ? criticalPath : [],
    conflicts: [...conflicts],
    tasks: ids.map((id) => toPlanTask(byId.get(id)!, levelOf(id))),
    totals: {
      tasks: inputs.length,
      agentTasks: agentInputs.length,
      toRun: running.length,
      cached: cachedInputs.length,
      invalid: agentInputs.filter((input) => input.invalid).length,
      durationMs: sum(running, (estimate) => estimate.durationMs),
      tokens: sum(running, tokens),
      cost: sum(running, (estimate) => estimate.costUsd ?? 0),
      unpricedTasks: running.filter((input) => input.estimate?.costUsd === null).length,
      criticalPathMs: ids.length ? finishOf(end) : 0,
      wallClockMs: simulate(ids, dependenciesOf, (id) => cost(byId.get(id)!), priority, parallel),
      savedByCache: {
        durationMs: sum(cachedInputs, (estimate) => estimate.durationMs),
        tokens: sum(cachedInputs, tokens),
        cost: sum(cachedInputs, (estimate) => estimate.costUsd ?? 0),
      },
    },
  };
}

function toPlanTask(input: PlanTaskInput, level: number): PlanTask {
  const estimate = input.estimate;
  return {
    id: input.id,
    cached: input.cached,
    ...(input.cacheNote ? { cacheNote: input.cacheNote } : {}),
    ...(input.agent ? { agent: input.agent } : {}),
    ...(input.invalid ? { invalid: input.invalid } : {}),
    level,
    estimate: estimate
      ? {
          durationMs: estimate.durationMs,
          tokens: estimate.tokens.input + estimate.tokens.output,
          inputTokens: estimate.tokens.input,
          outputTokens: estimate.tokens.output,
          cost: estimate.costUsd,
          source: estimate.source,
        }
      : { durationMs: 0, tokens: 0, inputTokens: 0, outputTokens: 0, cost: 0, source: 'none' },
  };
}

/** A level's tasks in groups of at most `parallel` that would run; the others ride in the first group. */
function cutIntoBatches(level: string[], parallel: number | null, runs: (id: string) => boolean): string[][] {
  if (parallel === null) return [level];
  const batches: string[][] = [[]];
  for (const id of level) {
    if (!runs(id)) {
      batches[0].push(id);
      continue;
    }
    if (batches.at(-1)!.filter(runs).length >= parallel) batches.push([]);
    batches.at(-1)!.push(id);
  }
  return batches;
}

/** List scheduling: whenever a slot is free, start the ready task with the longest remaining chain. */
function simulate(
  ids: readonly string[],
  dependenciesOf: (id: string) => string[],
  duration: (id: string) => number,
  priority: (a: string, b: string) => number,
  parallel: number | null,
): number {
  const slots = parallel ?? Number.POSITIVE_INFINITY;
  const done = new Map<string, number>();
  const running: Array<{ id: string; end: number }> = [];
  let waiting = [...ids];
  let now = 0;
  while (waiting.length || running.length) {
    const ready = waiting.filter((id) => dependenciesOf(id).every((dependency) => done.has(dependency))).sort(priority);
    for (const id of ready) {
      if (running.length >= slots) break;
      running.push({ id, end: now + duration(id) });
      waiting = waiting.filter((other) => other !== id);
    }
    running.sort((a, b) => a.end - b.end);
    const next = running.shift();
    if (!next) break;
    now = next.end;
    done.set(next.id, now);
  }
  return now;
}
