import { buildPlan, type PlanTaskInput } from './build-plan';
import { decideLaunch } from './launch-guard';
import { planArguments } from './launch-guard-hook';

const task = (id: string, cached: PlanTaskInput['cached'] = false): PlanTaskInput => ({
  id: `app:agent--${id}`,
  dependencies: [],
  cached,
  agent: { name: 'implementer', provider: 'claude-code', task: id },
  estimate: { durationMs: 60_000, tokens: { input: 100_000, output: 10_000 }, costUsd: 0.45, source: 'provider-default' },
});
const request = (tasks: PlanTaskInput[], limits: { maxTasks?: number; maxEstimatedCost?: number }, env: Record<string, string> = {}) => ({
  plan: buildPlan(tasks, 3),
  limits,
  env,
  command: 'nx run-many -t agent',
  planCommand: 'npx nx-agents plan --targets=agent',
});
const twelve = Array.from({ length: 12 }, (_, index) => task(`t${index + 1}`));

describe('decideLaunch', () => {
  it('refuses a plan over maxTasks, with its numbers and how to go on', () => {
    const decision = decideLaunch(request(twelve, { maxTasks: 10 }));
    expect(decision).toEqual({
      allowed: false,
      message: [
        'nx-agents launch guard: nothing was started, this run is over its limits (12 agent tasks to run > maxTasks 10)',
        'The plan: 12 agent tasks, 12 to run, 0 cached; 12m00s of agent time, 1.3M tokens, $5.40; critical path 1m00s, about 4m00s at --parallel=3.',
        'See every task: npx nx-agents plan --targets=agent',
        'To go on: NX_AGENTS_CONFIRM=1 nx run-many -t agent',
        "Or narrow the run (--projects, --exclude, nx affected), or raise maxTasks / maxEstimatedCost in the plugin's options in nx.json.",
      ].join('\n'),
    });
  });

  it('refuses a plan over maxEstimatedCost', () => {
    const decision = decideLaunch(request(twelve, { maxEstimatedCost: 5 }));
    expect(decision.allowed).toBe(false);
    expect(decision.allowed || decision.message.split('\n')[0]).toBe(
      'nx-agents launch guard: nothing was started, this run is over its limits (estimated $5.40 > maxEstimatedCost $5.00)',
    );
  });

  it('does not count cache hits: what the cache replays costs nothing', () => {
    const mostlyCached = twelve.map((entry, index) => (index < 3 ? entry : { ...entry, cached: 'local' as const }));
    expect(decideLaunch(request(mostlyCached, { maxTasks: 10, maxEstimatedCost: 5 }))).toEqual({ allowed: true });
  });

  it('lets a confirmed run go on, and says past what', () => {
    expect(decideLaunch(request(twelve, { maxTasks: 10 }, { NX_AGENTS_CONFIRM: '1' }))).toEqual({
      allowed: true,
      confirmedPast: '12 agent tasks to run > maxTasks 10',
    });
    expect(decideLaunch(request(twelve, { maxTasks: 10 }, { NX_AGENTS_CONFIRM: 'false' })).allowed).toBe(false);
  });
});

describe('planArguments', () => {
  it('spells a selection as the plan command’s flags', () => {
    expect(
      planArguments({
        selection: { command: 'affected', targets: ['agent'], projects: ['a', 'b'], exclude: ['c'], base: 'main', head: 'HEAD' },
        parallel: null,
        skipNxCache: false,
        skipRemoteCache: true,
      }),
    ).toEqual([
      'plan',
      '--affected',
      '--targets=agent',
      '--projects=a,b',
      '--exclude=c',
      '--base=main',
      '--head=HEAD',
      '--parallel=unlimited',
      '--skip-remote-cache',
    ]);
  });
});
