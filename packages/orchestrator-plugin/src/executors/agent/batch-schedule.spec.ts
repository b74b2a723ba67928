import fc from 'fast-check';
import { BatchSchedule, type ScheduledTask } from './batch-schedule';

type Tasks = Record<string, ScheduledTask>;

/** Runs a schedule to the end with exact durations; a task fails when `fails` names it. Returns start times and skips. */
function simulate(tasks: Tasks, parallel: number, options: { fails?: string[]; poolLimits?: Record<string, number> } = {}) {
  const schedule = new BatchSchedule({ tasks, parallel, poolLimits: options.poolLimits });
  const starts = new Map<string, number>();
  const ends = new Map<string, number>();
  const skipped: string[] = [];
  const running: Array<{ task: string; end: number }> = [];
  let now = 0;
  let mostAtOnce = 0;
  while (!schedule.done) {
    for (const task of schedule.takeStartable()) {
      starts.set(task, now);
      running.push({ task, end: now + tasks[task].expectedDurationMs });
    }
    mostAtOnce = Math.max(mostAtOnce, running.length);
    if (!running.length) {
      skipped.push(...schedule.skipUnreachable().map((skip) => skip.task));
      continue;
    }
    running.sort((first, second) => first.end - second.end || first.task.localeCompare(second.task));
    const next = running.shift()!;
    now = next.end;
    ends.set(next.task, now);
    skipped.push(...schedule.finish(next.task, !options.fails?.includes(next.task)).map((skip) => skip.task));
  }
  return { starts, ends, skipped, span: now, mostAtOnce };
}

const task = (expectedDurationMs: number, dependencies: string[] = [], pool?: string): ScheduledTask => ({ expectedDurationMs, dependencies, pool });

describe('BatchSchedule', () => {
  it('weights the remaining path by expected durations, not by hops', () => {
    const schedule = new BatchSchedule({
      tasks: { a: task(1), b: task(10, ['a']), c: task(1), d: task(1, ['c']), e: task(1, ['d']) },
      parallel: 1,
    });
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => schedule.remainingPathMs(id))).toEqual([11, 10, 3, 2, 1]);
    // a's chain is shorter in hops but longer in time: it goes first.
    expect(schedule.takeStartable()).toEqual(['a']);
  });

  it('starts the long chain before the fan-out, which keeps the span at the critical path', () => {
    const tasks: Tasks = { 'chain-1': task(3) };
    for (let index = 2; index <= 4; index++) tasks[`chain-${index}`] = task(3, [`chain-${index - 1}`]);
    for (let index = 0; index < 6; index++) tasks[`side-${index}`] = task(2);
    // Sides listed first: Nx's order must not matter.
    const reordered = Object.fromEntries(Object.entries(tasks).reverse());
    const { span, starts } = simulate(reordered, 2);
    expect(starts.get('chain-1')).toBe(0);
    expect(span).toBe(12);
  });

  it('breaks ties by direct dependents, then by the batch order', () => {
    const schedule = new BatchSchedule({ tasks: { x: task(1), y: task(1), z: task(1), after: task(0, ['z']), also: task(0, ['z']) }, parallel: 2 });
    expect(schedule.takeStartable()).toEqual(['z', 'x']);
  });

  it('never runs more than parallel, nor more than a pool allows', () => {
    const tasks: Tasks = {};
    for (let index = 0; index < 8; index++) tasks[`t${index}`] = task(1 + (index % 3), [], index < 5 ? 'claude' : undefined);
    const limited = simulate(tasks, 4, { poolLimits: { claude: 1 } });
    expect(limited.mostAtOnce).toBeLessThanOrEqual(4);
    const claudeIntervals = [0, 1, 2, 3, 4].map((index) => [limited.starts.get(`t${index}`)!, limited.ends.get(`t${index}`)!]);
    for (const [start, end] of claudeIntervals) {
      expect(claudeIntervals.filter(([otherStart, otherEnd]) => otherStart < end && start < otherEnd)).toHaveLength(1);
    }
    // While the pool is full, tasks outside it still use the free slots.
    expect(limited.starts.get('t5')).toBe(0);
  });

  it('skips every task that needs a failed one, directly or through others, naming the failed task', () => {
    const schedule = new BatchSchedule({ tasks: { a: task(1), b: task(1, ['a']), c: task(1, ['b']), d: task(1) }, parallel: 1 });
    expect(schedule.takeStartable()).toEqual(['a']);
    expect(schedule.finish('a', false)).toEqual([
      { task: 'b', reason: 'dependency-failed', dependency: 'a' },
      { task: 'c', reason: 'dependency-failed', dependency: 'a' },
    ]);
    expect(schedule.takeStartable()).toEqual(['d']);
    expect(schedule.finish('d', true)).toEqual([]);
    expect(schedule.done).toBe(true);
  });

  it('stop skips what has not started; running tasks still finish', () => {
    const schedule = new BatchSchedule({ tasks: { a: task(1), b: task(1), c: task(1, ['a']) }, parallel: 1 });
    expect(schedule.takeStartable()).toEqual(['a']);
    expect(schedule.stop()).toEqual([
      { task: 'b', reason: 'stopped' },
      { task: 'c', reason: 'stopped' },
    ]);
    expect(schedule.done).toBe(false);
    expect(schedule.finish('a', true)).toEqual([]);
    expect(schedule.takeStartable()).toEqual([]);
    expect(schedule.done).toBe(true);
  });

  it('ignores dependencies outside the batch, and skips a cycle instead of hanging', () => {
    const outside = new BatchSchedule({ tasks: { a: task(1, ['elsewhere:build']) }, parallel: 3 });
    expect(outside.takeStartable()).toEqual(['a']);
    const cycle = new BatchSchedule({ tasks: { a: task(1, ['b']), b: task(1, ['a']), c: task(1) }, parallel: 3 });
    expect(cycle.takeStartable()).toEqual(['c']);
    expect(cycle.skipUnreachable()).toEqual([]);
    cycle.finish('c', true);
    expect(cycle.skipUnreachable().map((skip) => skip.reason)).toEqual(['unreachable', 'unreachable']);
    expect(cycle.done).toBe(true);
  });

  it('refuses a finish for a task that is not running and a parallel below 1', () => {
    const schedule = new BatchSchedule({ tasks: { a: task(1) }, parallel: 1 });
    expect(() => schedule.finish('a', true)).toThrow('a is not running');
    expect(() => new BatchSchedule({ tasks: {}, parallel: 0 })).toThrow('parallel must be at least 1');
  });

  it('handles a 5,000-task chain without recursion', () => {
    const tasks: Tasks = { t0: task(1) };
    for (let index = 1; index < 5000; index++) tasks[`t${index}`] = task(1, [`t${index - 1}`]);
    expect(new BatchSchedule({ tasks, parallel: 3 }).remainingPathMs('t0')).toBe(5000);
  });

  // Random DAGs: edges only from lower to higher index, durations 1..5.
  const dags = fc
    .array(fc.record({ duration: fc.integer({ min: 1, max: 5 }), parents: fc.array(fc.nat(), { maxLength: 3 }) }), { minLength: 1, maxLength: 25 })
    .map((entries) => {
      const tasks: Tasks = {};
      entries.forEach((entry, index) => {
        const dependencies = index ? [...new Set(entry.parents.map((parent) => `t${parent % index}`))] : [];
        tasks[`t${index}`] = task(entry.duration, dependencies);
      });
      return tasks;
    });

  it('on random DAGs: dependencies first, within parallel, every task once, span within the list-schedule bound', () => {
    fc.assert(
      fc.property(dags, fc.integer({ min: 1, max: 6 }), (tasks, parallel) => {
        const { starts, ends, span, mostAtOnce, skipped } = simulate(tasks, parallel);
        expect(skipped).toEqual([]);
        expect(starts.size).toBe(Object.keys(tasks).length);
        expect(mostAtOnce).toBeLessThanOrEqual(parallel);
        for (const [id, { dependencies }] of Object.entries(tasks)) {
          for (const dependency of dependencies) expect(starts.get(id)!).toBeGreaterThanOrEqual(ends.get(dependency)!);
        }
        // Graham: any list schedule is within work/P + critical path; and never below the lower bound.
        const work = Object.values(tasks).reduce((sum, { expectedDurationMs }) => sum + expectedDurationMs, 0);
        const schedule = new BatchSchedule({ tasks, parallel });
        const criticalPath = Math.max(...Object.keys(tasks).map((id) => schedule.remainingPathMs(id)));
        expect(span).toBeGreaterThanOrEqual(Math.max(criticalPath, work / parallel));
        expect(span).toBeLessThanOrEqual(work / parallel + criticalPath);
      }),
      { numRuns: 300 },
    );
  });

  it('on random DAGs with one failure: exactly the failed task and what needs it go unrun', () => {
    fc.assert(
      fc.property(dags, fc.nat(), (tasks, pick) => {
        const ids = Object.keys(tasks);
        const failed = ids[pick % ids.length];
        const { starts, skipped } = simulate(tasks, 2, { fails: [failed] });
        const needsFailed = (id: string): boolean => tasks[id].dependencies.some((dependency) => dependency === failed || needsFailed(dependency));
        expect(skipped.sort()).toEqual(ids.filter(needsFailed).sort());
        expect([...starts.keys()].sort()).toEqual(ids.filter((id) => !needsFailed(id)).sort());
      }),
      { numRuns: 300 },
    );
  });
});
