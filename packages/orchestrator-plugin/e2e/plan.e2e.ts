import { join } from 'node:path';
import { runRecord } from './utils/run-records';
import { createTempWorkspace, nxEnvironment, runCommand, type CommandResult, type TempWorkspace } from './utils/temp-workspace';

const task = (id: string, milliseconds: number, extra: string[] = []) =>
  [
    '---',
    `script: { duration: ${milliseconds}ms, summary: "${id} done", files: { "out/${id}.txt": "${id}" } }`,
    `outputs: ["out/${id}.txt"]`,
    ...extra,
    '---',
    `Do ${id}.`,
    '',
  ].join('\n');

interface PlanJson {
  parallel: number | null;
  batches: string[][];
  criticalPath: string[];
  conflicts: unknown[];
  tasks: Array<{ id: string; cached: false | 'local' | 'remote'; estimate: { durationMs: number; tokens: number; cost: number | null; source: string } }>;
  totals: { toRun: number; cached: number; criticalPathMs: number };
}

/** `npx nx-agents ...` in the workspace, through the bin the package declares. */
function nxAgents(workspace: TempWorkspace, args: string[]): Promise<CommandResult> {
  const bin = workspace.readJson('node_modules/nx-agent-orchestrator/package.json').bin['nx-agents'] as string;
  return runCommand(
    process.execPath,
    [join(workspace.root, 'node_modules/nx-agent-orchestrator', bin), ...args],
    workspace.root,
    nxEnvironment(workspace.root),
  );
}

async function planJson(workspace: TempWorkspace, args: string[] = []): Promise<PlanJson> {
  const result = await nxAgents(workspace, ['plan', '--json', ...args]);
  if (result.code !== 0) throw new Error(`nx-agents plan failed: ${result.output}`);
  return JSON.parse(result.stdout) as PlanJson;
}

/** Topological levels and longest paths, computed here from Nx's own task graph, not by the plan's code. */
function levelsOf(dependencies: Record<string, string[]>): string[][] {
  const level = new Map<string, number>();
  const of = (id: string): number => level.get(id) ?? level.set(id, Math.max(-1, ...dependencies[id].map(of)) + 1).get(id)!;
  const levels: string[][] = [];
  for (const id of Object.keys(dependencies)) (levels[of(id)] ??= []).push(id);
  return levels.map((ids) => ids.sort());
}

function longestPath(dependencies: Record<string, string[]>, duration: (id: string) => number): { path: string[]; length: number } {
  const memo = new Map<string, { path: string[]; length: number }>();
  const best = (id: string): { path: string[]; length: number } => {
    if (!memo.has(id)) {
      const before = dependencies[id].map(best).reduce((a, b) => (b.length > a.length ? b : a), { path: [] as string[], length: 0 });
      memo.set(id, { path: [...before.path, id], length: before.length + duration(id) });
    }
    return memo.get(id)!;
  };
  return Object.keys(dependencies)
    .map(best)
    .reduce((a, b) => (b.length > a.length ? b : a));
}

describe('nx-agents plan', () => {
  let workspace: TempWorkspace;
  let dependencies: Record<string, string[]>;
  beforeAll(async () => {
    workspace = createTempWorkspace({
      'apps/app/project.json': { name: 'app' },
      'apps/app/tasks/a.agent.md': task('a', 300),
      'apps/app/tasks/b.agent.md': task('b', 900, ['dependsOn: [a]']),
      'apps/app/tasks/c.agent.md': task('c', 200),
      'apps/app/tasks/d.agent.md': task('d', 100, ['dependsOn: [b, c]']),
      'libs/lib/project.json': { name: 'lib' },
      'libs/lib/tasks/e.agent.md': task('e', 1200),
      'libs/lib/tasks/f.agent.md': task('f', 100, ['dependsOn: [app:a]']),
    });
    const graph = await workspace.nx(['graph', '--targets=agent', '--file=graph.json']);
    expect(graph.code).toBe(0);
    const edges: Record<string, Array<string | { id: string }>> = workspace.readJson('graph.json').tasks.dependencies;
    dependencies = Object.fromEntries(Object.entries(edges).map(([id, list]) => [id, list.map((edge) => (typeof edge === 'string' ? edge : edge.id))]));
  });

  it('before any run: batches are the topological levels at unlimited --parallel, estimates come from the scripts', async () => {
    const plan = await planJson(workspace, ['--parallel=unlimited']);
    expect(plan.parallel).toBeNull();
    expect(plan.batches.map((batch) => [...batch].sort())).toEqual(levelsOf(dependencies));
    expect(plan.tasks.every((entry) => entry.cached === false)).toBe(true);
    const byId = new Map(plan.tasks.map((entry) => [entry.id, entry]));
    expect(byId.get('app:agent--b')!.estimate).toEqual({ durationMs: 900, tokens: 0, inputTokens: 0, outputTokens: 0, cost: 0, source: 'script' });
    const longest = longestPath(dependencies, (id) => byId.get(id)!.estimate.durationMs);
    expect(plan.criticalPath).toEqual(longest.path);
    expect(plan.totals.criticalPathMs).toBe(1300);
  });

  it('at --parallel=1 every batch holds one task that runs', async () => {
    const plan = await planJson(workspace, ['--parallel=1', '--projects=app']);
    expect(plan.batches.every((batch) => batch.filter((id) => id.includes(':agent--')).length <= 1)).toBe(true);
    expect(plan.tasks.map((entry) => entry.id).filter((id) => id.startsWith('lib:'))).toEqual([]);
  });

  it('after a run: every task is a cache hit, and estimates come from the run records', async () => {
    const run = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3']);
    expect({ code: run.code, output: run.code === 0 ? '' : run.output }).toEqual({ code: 0, output: '' });
    const plan = await planJson(workspace);
    const agentTasks = plan.tasks.filter((entry) => entry.id.includes(':agent--'));
    expect(agentTasks.map((entry) => [entry.id, entry.cached])).toEqual(agentTasks.map((entry) => [entry.id, 'local']));
    for (const entry of agentTasks) {
      const [project, target] = entry.id.split(':');
      const record = runRecord(workspace, project, target.slice('agent--'.length)) as unknown as {
        durationMs: number;
        tokens: { input: number; output: number };
      };
      expect({ id: entry.id, source: entry.estimate.source, durationMs: entry.estimate.durationMs, tokens: entry.estimate.tokens }).toEqual({
        id: entry.id,
        source: 'record',
        durationMs: record.durationMs,
        tokens: record.tokens.input + record.tokens.output,
      });
    }
    expect(plan.totals).toMatchObject({ toRun: 0, cached: 6, criticalPathMs: 0 });
  });

  it('a changed task is not a hit, nor is a task that hashes its outputs; the text plan says so', async () => {
    workspace.write('apps/app/tasks/c.agent.md', `${task('c', 200)}Also this.\n`);
    const plan = await planJson(workspace);
    const cached = Object.fromEntries(plan.tasks.filter((entry) => entry.id.includes(':agent--')).map((entry) => [entry.id, entry.cached]));
    expect(cached).toEqual({
      'app:agent--a': 'local',
      'app:agent--b': 'local',
      'app:agent--c': false,
      'app:agent--d': false,
      'lib:agent--e': 'local',
      'lib:agent--f': 'local',
    });
    const text = await nxAgents(workspace, ['plan']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Agent plan: 6 agent tasks (2 to run, 4 cached)');
    expect(text.stdout).toMatch(/Batches \(what can run together\):\n {2}1\. /);
    expect(text.stdout).toMatch(/Critical path \(\S+\): app:agent--c -> app:agent--d/);
    expect(text.stdout).toMatch(/app:agent--c +runs +\S+ +\S+ +\$0\.00 +last run/);
  });

  it('refuses an unknown flag with the fix', async () => {
    const result = await nxAgents(workspace, ['plan', '--paralel=2']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nx-agents: Unknown option '--paralel'");
    expect(result.stderr).toContain('Run `npx nx-agents plan --help` for the options.');
  });
});
