import { buildPlan, type PlanTaskInput } from './build-plan';
import type { TaskEstimate } from './estimate-task';

const estimate = (seconds: number, cost: number | null = seconds / 100): TaskEstimate => ({
  durationMs: seconds * 1000,
  tokens: { input: seconds * 10, output: seconds },
  costUsd: cost,
  source: 'record',
});
const agentTask = (id: string, seconds: number, dependencies: string[] = [], extra: Partial<PlanTaskInput> = {}): PlanTaskInput => ({
  id: `p:${id}`,
  dependencies: dependencies.map((dependency) => `p:${dependency}`),
  cached: false,
  agent: { name: 'scripted', provider: 'scripted', task: id },
  estimate: estimate(seconds),
  ...extra,
});

describe('buildPlan', () => {
  // a(10) -> c(5) -> e(1); b(2) -> c; d(30) alone; f(1) after b
  const tasks = [agentTask('a', 10), agentTask('b', 2), agentTask('c', 5, ['a', 'b']), agentTask('d', 30), agentTask('e', 1, ['c']), agentTask('f', 1, ['b'])];

  it('with unlimited parallelism, the batches are the topological levels', () => {
    expect(buildPlan(tasks, null).batches).toEqual([['p:d', 'p:a', 'p:b'], ['p:c', 'p:f'], ['p:e']]);
  });

  it('at --parallel=2 each level is cut into groups of two, longest remaining chain first', () => {
    expect(buildPlan(tasks, 2).batches).toEqual([['p:d', 'p:a'], ['p:b'], ['p:c', 'p:f'], ['p:e']]);
  });

  it('the critical path is the longest chain by estimated duration, not by number of tasks', () => {
    const plan = buildPlan(tasks, null);
    expect(plan.criticalPath).toEqual(['p:d']);
    expect(plan.totals.criticalPathMs).toBe(30_000);
    const longer = buildPlan([...tasks.filter((task) => task.id !== 'p:d'), agentTask('d', 3)], null);
    expect(longer.criticalPath).toEqual(['p:a', 'p:c', 'p:e']);
    expect(longer.totals.criticalPathMs).toBe(16_000);
  });

  it('between chains of equal duration (tasks with no estimate yet), the critical path is the one with more tasks', () => {
    // The shape of a decomposition: two roots, a task after both, the aggregate after all three.
    const unestimated = [agentTask('x', 0), agentTask('y', 0), agentTask('z', 0, ['x', 'y']), agentTask('all', 0, ['x', 'y', 'z'])];
    expect(buildPlan(unestimated, null).criticalPath).toEqual(['p:x', 'p:z', 'p:all']);
  });

  it('adds up what would run, counts cache hits as instant and as saved, and keeps unknown prices apart', () => {
    const plan = buildPlan(
      [
        agentTask('a', 10, [], { cached: 'local' }),
        agentTask('c', 5, ['a']),
        agentTask('x', 4, [], { estimate: estimate(4, null) }),
        agentTask('bad', 9, [], { invalid: 'broken' }),
      ],
      1,
    );
    expect(plan.totals).toEqual({
      tasks: 4,
      agentTasks: 4,
      toRun: 2,
      cached: 1,
      invalid: 1,
      durationMs: 9_000,
      tokens: 99,
      cost: 0.05,
      unpricedTasks: 1,
      criticalPathMs: 5_000,
      wallClockMs: 9_000,
      savedByCache: { durationMs: 10_000, tokens: 110, cost: 0.1 },
    });
    expect(plan.criticalPath).toEqual(['p:a', 'p:c']);
    // At --parallel=1 the cached and invalid tasks ride in the first group: they take no slot.
    expect(plan.batches).toEqual([['p:a', 'p:x', 'p:bad'], ['p:c']]);
  });

  it('estimates the wall clock by scheduling the longest chain first', () => {
    expect(buildPlan(tasks, 1).totals.wallClockMs).toBe(49_000);
    expect(buildPlan(tasks, 2).totals.wallClockMs).toBe(30_000);
    expect(buildPlan(tasks, null).totals.wallClockMs).toBe(30_000);
  });

  it('keeps non-agent tasks in the batches at no cost', () => {
    const plan = buildPlan([{ id: 'p:build', dependencies: [], cached: false }, agentTask('a', 10, ['build'])], null);
    expect(plan.batches).toEqual([['p:build'], ['p:a']]);
    expect(plan.totals).toMatchObject({ tasks: 2, agentTasks: 1, toRun: 1, durationMs: 10_000 });
  });

  it('plans nothing for an empty selection', () => {
    expect(buildPlan([], 3)).toMatchObject({ batches: [], criticalPath: [], totals: { tasks: 0, criticalPathMs: 0, wallClockMs: 0 } });
  });
});
