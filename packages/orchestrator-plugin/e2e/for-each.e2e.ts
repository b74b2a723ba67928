import { interval, runRecord } from './utils/run-records';
import { join } from 'node:path';
import { createTempWorkspace, nxEnvironment, runCommand, type TempWorkspace } from './utils/temp-workspace';

/** Tasks that ran an agent (not restored from the cache), as `project:target`. */
function ran(output: string): string[] {
  return output
    .split('\n')
    .flatMap((line) => {
      const match = /^\s*> nx run (\S+:agent--\S+)\s*$/.exec(line);
      return match ? [match[1]] : [];
    })
    .sort();
}

function cached(output: string): string[] {
  return output
    .split('\n')
    .flatMap((line) => {
      const match = /^\s*> nx run (\S+:agent--\S+)\s+\[(local|remote) cache\]/.exec(line);
      return match ? [match[1]] : [];
    })
    .sort();
}

/** The most records whose [startedAt, endedAt] intervals overlap at one instant. */
function maxConcurrency(intervals: Array<{ start: number; end: number }>): number {
  const events = intervals.flatMap(({ start, end }) => [
    { at: start, change: 1 },
    { at: end, change: -1 },
  ]);
  // An end and a start at the same millisecond do not overlap: ends first.
  events.sort((a, b) => a.at - b.at || a.change - b.change);
  let running = 0;
  let most = 0;
  for (const { change } of events) most = Math.max(most, (running += change));
  return most;
}

const PROJECTS = Array.from({ length: 12 }, (_, index) => `lib${String(index + 1).padStart(2, '0')}`);

describe('forEach over 12 projects at --parallel=4', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    const files: Record<string, string | object> = {
      'tools/upgrade/project.json': { name: 'upgrade' },
      'tools/upgrade/agent-tasks.yaml': [
        'tasks:',
        '  - id: design',
        '    prompt: Design the upgrade.',
        '    script: { summary: "Use the new API." }',
        '  - id: upgrade',
        '    prompt: Upgrade {project} in {projectRoot}.',
        '    forEach: { projects: "tag:lib" }',
        '    dependsOn: [design]',
        '    inputs: ["{projectRoot}/src/**"]',
        '    outputs: ["{projectRoot}/UPGRADED.md"]',
        '    script: { duration: 1s, summary: "upgraded {project}", files: { "UPGRADED.md": "{project} upgraded\\n" } }',
        '  - id: report',
        '    prompt: Report on every upgrade.',
        '    dependsOn: ["upgrade/{each}"]',
        '',
      ].join('\n'),
      'apps/site/project.json': { name: 'site', tags: ['app'] },
      'apps/site/src/index.ts': 'export {};\n',
    };
    for (const name of PROJECTS) {
      files[`libs/${name}/project.json`] = { name, tags: ['lib'] };
      files[`libs/${name}/src/index.ts`] = `export const name = '${name}';\n`;
    }
    workspace = createTempWorkspace(files);
  });

  it('runs 12 workers, never more than 4 at once, after the shared task and before the final one', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=4', '--output-style=static']);
    expect(result.code).toBe(0);
    expect(ran(result.output)).toEqual([...PROJECTS.map((name) => `${name}:agent--upgrade`), 'upgrade:agent--design', 'upgrade:agent--report'].sort());
    const workers = PROJECTS.map((name) => runRecord(workspace, name, 'upgrade'));
    expect(workers.map((record) => record.status)).toEqual(PROJECTS.map(() => 'succeeded'));
    expect(workers.map((record) => record.summary)).toEqual(PROJECTS.map((name) => `upgraded ${name}`));
    for (const name of PROJECTS) expect(workspace.read(`libs/${name}/UPGRADED.md`)).toBe(`${name} upgraded\n`);
    const concurrency = maxConcurrency(workers.map(interval));
    expect(concurrency).toBeLessThanOrEqual(4);
    expect(concurrency).toBeGreaterThanOrEqual(2);
    const design = interval(runRecord(workspace, 'upgrade', 'design'));
    const report = interval(runRecord(workspace, 'upgrade', 'report'));
    for (const worker of workers.map(interval)) {
      expect(worker.start).toBeGreaterThanOrEqual(design.end);
      expect(report.start).toBeGreaterThanOrEqual(worker.end);
    }
    expect(workspace.exists('apps/site/UPGRADED.md')).toBe(false);
  });

  it("a change to one project's inputs re-runs only that worker (and the final task that depends on it)", async () => {
    workspace.write('libs/lib07/src/index.ts', "export const name = 'lib07, changed';\n");
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=4', '--output-style=static']);
    expect(result.code).toBe(0);
    expect(ran(result.output)).toEqual(['lib07:agent--upgrade', 'upgrade:agent--report']);
    expect(cached(result.output)).toHaveLength(12);
  });

  it('adding a 13th project runs its worker and the final task only: the shared task and the other workers are cache hits', async () => {
    workspace.write('libs/lib13/project.json', JSON.stringify({ name: 'lib13', tags: ['lib'] }));
    workspace.write('libs/lib13/src/index.ts', "export const name = 'lib13';\n");
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=4', '--output-style=static']);
    expect(result.code).toBe(0);
    expect(ran(result.output)).toEqual(['lib13:agent--upgrade', 'upgrade:agent--report']);
    expect(cached(result.output)).toEqual([...PROJECTS.map((name) => `${name}:agent--upgrade`), 'upgrade:agent--design'].sort());
  });
});

describe('forEach over 20 files', () => {
  let workspace: TempWorkspace;
  const fileNames = Array.from({ length: 20 }, (_, index) => `src/${index % 2 ? 'deep/' : ''}module ${index + 1}.legacy.ts`);
  beforeAll(() => {
    const files: Record<string, string | object> = {
      'apps/app/project.json': { name: 'app' },
      'apps/app/agent-tasks.yaml': [
        'tasks:',
        '  - id: port',
        '    prompt: Port {file} to the new API.',
        '    forEach: { files: "src/**/*.legacy.ts" }',
        '    outputs: ["ported/{fileStem}.ts"]',
        '    script: { summary: "ported {file}", files: { "ported/{fileStem}.ts": "// ported from {file}\\n" } }',
        '',
      ].join('\n'),
      'apps/app/src/untouched.ts': 'export {};\n',
    };
    for (const name of fileNames) files[`apps/app/${name}`] = `// ${name}\n`;
    workspace = createTempWorkspace(files);
  });

  it('makes one target per file, with a valid id for every name', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=4', '--output-style=static']);
    expect(result.code).toBe(0);
    const workers = ran(result.output);
    expect(workers).toHaveLength(20);
    expect(workers).toContain('app--port--src-module-1.legacy.ts:agent--port');
    expect(workers).toContain('app--port--src-deep-module-2.legacy.ts:agent--port');
    expect(workspace.read('apps/app/ported/module 2.legacy.ts')).toBe('// ported from src/deep/module 2.legacy.ts\n');
    expect(runRecord(workspace, 'app--port--src-deep-module-2.legacy.ts', 'port').summary).toBe('ported src/deep/module 2.legacy.ts');
  });

  it('adding a 21st file runs one task; the other 20 are cache hits', async () => {
    workspace.write('apps/app/src/new/module 21.legacy.ts', '// the 21st\n');
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=4', '--output-style=static']);
    expect(result.code).toBe(0);
    expect(ran(result.output)).toEqual(['app--port--src-new-module-21.legacy.ts:agent--port']);
    expect(cached(result.output)).toHaveLength(20);
  });

  it('editing one file re-runs only its worker', async () => {
    workspace.write('apps/app/src/module 3.legacy.ts', '// edited\n');
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=4', '--output-style=static']);
    expect(result.code).toBe(0);
    expect(ran(result.output)).toEqual(['app--port--src-module-3.legacy.ts:agent--port']);
  });

  it('`nx run app:agent` still runs every worker of the project, and `nx affected` follows a file to its worker', async () => {
    const all = await workspace.nx(['run', 'app:agent', '--output-style=static']);
    expect(all.code).toBe(0);
    expect(cached(all.output)).toHaveLength(21);
    workspace.git(['add', '-A']);
    workspace.git(['commit', '-qm', 'ported']);
    workspace.write('apps/app/src/module 5.legacy.ts', '// edited\n');
    const affected = await workspace.nx(['affected', '-t', 'agent', '--base=HEAD', '--output-style=static']);
    expect(affected.code).toBe(0);
    // Nx 24 selects the aggregate by its own inputs (the project's files), then runs what it depends on.
    expect(ran(affected.output)).toEqual(['app--port--src-module-5.legacy.ts:agent--port']);
    expect(cached(affected.output)).toHaveLength(20);
    const precise = await workspace.nx(['show', 'projects', '--affected', '--base=HEAD', '-t', 'agent--port']);
    expect(precise.output.trim().split('\n')).toEqual(['app--port--src-module-5.legacy.ts']);
  });

  it('`nx-agents plan` resolves every worker as the executor does: none invalid, all cache hits', async () => {
    const bin = workspace.readJson('node_modules/nx-agent-orchestrator/package.json').bin['nx-agents'] as string;
    const result = await runCommand(
      process.execPath,
      [join(workspace.root, 'node_modules/nx-agent-orchestrator', bin), 'plan', '--json', '-t', 'agent'],
      workspace.root,
      nxEnvironment(workspace.root),
    );
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as { totals: { agentTasks: number; invalid: number; cached: number; toRun: number } };
    expect(plan.totals).toMatchObject({ agentTasks: 21, invalid: 0, cached: 21, toRun: 0 });
  });
});
