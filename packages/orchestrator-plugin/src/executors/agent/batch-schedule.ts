/** One task as the batch schedule sees it. */
export interface ScheduledTask {
  /** Tasks of the same batch that must succeed first; ids outside the batch are ignored (Nx finished them before). */
  dependencies: readonly string[];
  /** How long the task is expected to take, in ms: its weight on the remaining path. */
  expectedDurationMs: number;
  /** The pool whose limit it also counts against (a provider's, say); none: only `parallel` limits it. */
  pool?: string;
}

/** What a batch schedule is built from. */
export interface BatchScheduleRequest {
  /** The batch's tasks by id, in the order Nx gave them (the last tie-breaker). */
  tasks: Readonly<Record<string, ScheduledTask>>;
  /** At most this many tasks run at once. */
  parallel: number;
  /** At most this many tasks of each pool run at once; a pool without a limit is not limited. */
  poolLimits?: Readonly<Record<string, number>>;
}

/** A task the schedule will never start, and why. */
export type SkippedTask =
  { task: string; reason: 'dependency-failed'; dependency: string } | { task: string; reason: 'stopped' } | { task: string; reason: 'unreachable' };

type TaskState = 'waiting' | 'ready' | 'running' | 'succeeded' | 'failed' | 'skipped';

/**
 * A list schedule for one batch: whenever a slot is free, the ready task with the longest
 * remaining path (its own expected duration plus the longest chain of dependents after it)
 * starts first, so the tasks that hold up the most work never wait behind short side tasks.
 * Ties go to the task with more direct dependents, then to the batch's own order. Pure: it
 * keeps no clock and runs nothing; the batch executor starts what it hands out and reports
 * each end with `finish`.
 */
export class BatchSchedule {
  private readonly parallel: number;
  private readonly poolLimits: Readonly<Record<string, number>>;
  private readonly tasks: Readonly<Record<string, ScheduledTask>>;
  private readonly order: Map<string, number>;
  private readonly dependents = new Map<string, string[]>();
  private readonly dependencies = new Map<string, string[]>();
  private readonly unfinished = new Map<string, number>();
  private readonly state = new Map<string, TaskState>();
  private readonly remaining = new Map<string, number>();
  /** Ready tasks, best first. */
  private readonly ready: string[] = [];
  private readonly runningPerPool = new Map<string, number>();
  private running = 0;
  private settled = 0;

  constructor({ tasks, parallel, poolLimits = {} }: BatchScheduleRequest) {
    if (!(parallel >= 1)) throw new Error(`parallel must be at least 1, got ${parallel}`);
    this.parallel = Math.floor(parallel);
    this.poolLimits = poolLimits;
    this.tasks = tasks;
    const ids = Object.keys(tasks);
    this.order = new Map(ids.map((id, index) => [id, index]));
    for (const id of ids) this.dependents.set(id, []);
    for (const id of ids) {
      const inBatch = [...new Set(tasks[id].dependencies)].filter((dependency) => dependency !== id && this.order.has(dependency));
      this.dependencies.set(id, inBatch);
      this.unfinished.set(id, inBatch.length);
      for (const dependency of inBatch) this.dependents.get(dependency)!.push(id);
    }
    this.computeRemainingPaths(ids);
    for (const id of ids) {
      this.state.set(id, 'waiting');
      if (this.unfinished.get(id) === 0) this.makeReady(id);
    }
  }

  /** The task's own expected duration plus the longest expected chain of dependents after it, in ms. */
  remainingPathMs(task: string): number {
    const value = this.remaining.get(task);
    if (value === undefined) throw new Error(`${task} is not in this batch`);
    return value;
  }

  /** Tasks to start now, best first: as many as the free slots (and their pools) allow. They count as running. */
  takeStartable(): string[] {
    const started: string[] = [];
    for (let index = 0; index < this.ready.length && this.running < this.parallel;) {
      const task = this.ready[index];
      const pool = this.tasks[task].pool;
      if (pool !== undefined && (this.runningPerPool.get(pool) ?? 0) >= (this.poolLimits[pool] ?? Infinity)) {
        index++;
        continue;
      }
      this.ready.splice(index, 1);
      this.state.set(task, 'running');
      this.running++;
      if (pool !== undefined) this.runningPerPool.set(pool, (this.runningPerPool.get(pool) ?? 0) + 1);
      started.push(task);
    }
    return started;
  }

  /**
   * Records the end of a running task. A success may make dependents ready; a failure skips
   * every task that needs it, directly or through others (returned, each naming this task).
   */
  finish(task: string, succeeded: boolean): SkippedTask[] {
    if (this.state.get(task) !== 'running') throw new Error(`${task} is not running`);
    this.running--;
    const pool = this.tasks[task].pool;
    if (pool !== undefined) this.runningPerPool.set(pool, this.runningPerPool.get(pool)! - 1);
    this.settle(task, succeeded ? 'succeeded' : 'failed');
    if (!succeeded) return this.skipDependentsOf(task);
    for (const dependent of this.dependents.get(task)!) {
      const left = this.unfinished.get(dependent)! - 1;
      this.unfinished.set(dependent, left);
      if (left === 0 && this.state.get(dependent) === 'waiting') this.makeReady(dependent);
    }
    return [];
  }

  /** Stops starting tasks: every task not started yet is skipped (returned). Running tasks still end with `finish`. */
  stop(): SkippedTask[] {
    return this.skipAll('stopped');
  }

  /**
   * When nothing runs and nothing can start, what is left can never start (a cycle, which
   * Nx rejects before a batch exists): those tasks are skipped (returned). Otherwise none.
   */
  skipUnreachable(): SkippedTask[] {
    if (this.running > 0 || this.ready.length > 0) return [];
    return this.skipAll('unreachable');
  }

  /** How many tasks are running. */
  get runningCount(): number {
    return this.running;
  }

  /** Whether every task has succeeded, failed or been skipped. */
  get done(): boolean {
    return this.settled === this.order.size;
  }

  private settle(task: string, state: 'succeeded' | 'failed' | 'skipped'): void {
    this.state.set(task, state);
    this.settled++;
  }

  private skipAll(reason: 'stopped' | 'unreachable'): SkippedTask[] {
    const skipped: SkippedTask[] = [];
    for (const [task, state] of this.state) {
      if (state !== 'waiting' && state !== 'ready') continue;
      this.settle(task, 'skipped');
      skipped.push({ task, reason });
    }
    this.ready.length = 0;
    return skipped;
  }

  private skipDependentsOf(failed: string): SkippedTask[] {
    const skipped: SkippedTask[] = [];
    const pending = [...this.dependents.get(failed)!];
    while (pending.length) {
      const task = pending.pop()!;
      const state = this.state.get(task);
      if (state !== 'waiting' && state !== 'ready') continue;
      if (state === 'ready') this.ready.splice(this.ready.indexOf(task), 1);
      this.settle(task, 'skipped');
      skipped.push({ task, reason: 'dependency-failed', dependency: failed });
      pending.push(...this.dependents.get(task)!);
    }
    return skipped;
  }

  /** Longest remaining path per task, dependents first (Kahn's order on the reversed edges: no recursion, any depth). */
  private computeRemainingPaths(ids: string[]): void {
    const dependentsLeft = new Map(ids.map((id) => [id, this.dependents.get(id)!.length]));
    const sinks = ids.filter((id) => dependentsLeft.get(id) === 0);
    while (sinks.length) {
      const task = sinks.pop()!;
      const after = this.dependents.get(task)!.reduce((longest, dependent) => Math.max(longest, this.remaining.get(dependent)!), 0);
      this.remaining.set(task, Math.max(0, this.tasks[task].expectedDurationMs) + after);
      for (const dependency of this.dependencies.get(task)!) {
        const left = dependentsLeft.get(dependency)! - 1;
        dependentsLeft.set(dependency, left);
        if (left === 0) sinks.push(dependency);
      }
    }
    // Tasks on a cycle never got a value: they can never start either (see skipUnreachable).
    for (const id of ids) if (!this.remaining.has(id)) this.remaining.set(id, 0);
  }

  private makeReady(task: string): void {
    this.state.set(task, 'ready');
    let low = 0;
    let high = this.ready.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.comesBefore(this.ready[middle], task)) low = middle + 1;
      else high = middle;
    }
    this.ready.splice(low, 0, task);
  }

  private comesBefore(first: string, second: string): boolean {
    const byPath = this.remaining.get(first)! - this.remaining.get(second)!;
    if (byPath !== 0) return byPath > 0;
    const byDependents = this.dependents.get(first)!.length - this.dependents.get(second)!.length;
    if (byDependents !== 0) return byDependents > 0;
    return this.order.get(first)! < this.order.get(second)!;
  }
}
