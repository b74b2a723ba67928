import { interval, runRecord } from './utils/run-records';
import { createTempWorkspace, SCRIPTED_NX_JSON, type TempWorkspace } from './utils/temp-workspace';

/** A scripted task that takes a while and writes one file, declaring `writes`. */
const writer = (id: string, writes: string[], extra: string[] = []) =>
  [
    '---',
    `script: { duration: 1500ms, summary: "${id} done", files: { "src/${id}.ts": "// ${id}" } }`,
    `writes: ${JSON.stringify(writes)}`,
    ...extra,
    '---',
    `Write ${id}.`,
    '',
  ].join('\n');

const FILES = {
  'apps/api/project.json': { name: 'api' },
  'libs/shared/project.json': { name: 'shared' },
  // Overlapping across projects and formats: a glob and a file inside it, neither ordered.
  'apps/api/tasks/client.agent.md': writer('client', ['{workspaceRoot}/libs/shared/src/**']),
  'libs/shared/agent-tasks.json': {
    tasks: [
      {
        id: 'types',
        prompt: 'Write the types.',
        writes: ['src/*.ts'],
        script: { duration: '1500ms', summary: 'types done', files: { 'src/types.ts': '// types' } },
      },
    ],
  },
  // Globs that cannot meet: never flagged, run side by side.
  'apps/api/tasks/docs.agent.md': writer('docs', ['docs/**']),
  'apps/api/tasks/tests.agent.md': writer('tests', ['test/**/*.spec.ts']),
  // Reads what an unordered task writes: a race.
  'apps/api/tasks/review.agent.md': writer('review', ['reviews/**'], ['inputs: ["docs/*.md"]']),
};

function withOptions(options: object) {
  return { ...SCRIPTED_NX_JSON, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted', ...options } }] };
}

function dependencies(graph: { tasks: { dependencies: Record<string, Array<string | { id: string }>> } }, task: string): string[] {
  return (graph.tasks.dependencies[task] ?? []).map((edge) => (typeof edge === 'string' ? edge : edge.id)).sort();
}

describe('overlapping writes, conflicts: serialize (the default)', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace(FILES);
  });

  it('adds the edge in declaration order, visible in nx graph, and reports it and the race once', async () => {
    const result = await workspace.nx(['graph', '--targets=agent', '--file=graph.json']);
    expect(result.code).toBe(0);
    const graph = workspace.readJson('graph.json');
    expect(dependencies(graph, 'shared:agent--types')).toEqual(['api:agent--client']);
    expect(dependencies(graph, 'api:agent--client')).toEqual([]);
    expect(dependencies(graph, 'api:agent--docs')).toEqual([]);
    expect(dependencies(graph, 'api:agent--tests')).toEqual([]);
    expect(dependencies(graph, 'api:agent--review')).toEqual([]);
    const conflictLines = result.stderr.split('\n').filter((line) => line.includes('can both write'));
    expect(conflictLines).toEqual([
      '  libs/shared/agent-tasks.json:3: tasks "api:client" and "shared:types" can both write "libs/shared/src/x.ts" and no dependsOn orders them: "shared:types" runs after "api:client" (conflicts: serialize, in declaration order). Add a dependsOn to choose the order, or narrow their writes.',
    ]);
    expect(result.stderr).toContain('task "api:review" reads "apps/api/docs/x.md", which "api:docs" may write, and no dependsOn orders them');
    expect(result.stderr.match(/api:review" reads/g)).toHaveLength(1);
  });

  it('runs the pair one after the other (from the run records), and the others side by side', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=5']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    const client = interval(runRecord(workspace, 'api', 'client'));
    const types = interval(runRecord(workspace, 'shared', 'types'));
    expect(types.start).toBeGreaterThanOrEqual(client.end);
    const docs = interval(runRecord(workspace, 'api', 'docs'));
    const tests = interval(runRecord(workspace, 'api', 'tests'));
    expect(docs.start < tests.end && tests.start < docs.end).toBe(true);
  });
});

describe('overlapping writes, conflicts: error', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace(FILES, withOptions({ conflicts: 'error' }));
  });

  it('fails both tasks, each naming the other, and runs neither; the rest still run', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=5']);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/Failed tasks:[\s\S]*api:agent--client/);
    expect(result.output).toMatch(/Failed tasks:[\s\S]*shared:agent--types/);
    expect(result.output).toContain(
      'tasks "api:client" and "shared:types" can both write "libs/shared/src/x.ts" and no dependsOn orders them (conflicts: error; "shared:types" fails too)',
    );
    expect(result.output).toContain('(conflicts: error; "api:client" fails too)');
    expect(workspace.exists('.agent-runs/api/client')).toBe(false);
    expect(workspace.exists('.agent-runs/shared/types')).toBe(false);
    expect(runRecord(workspace, 'api', 'docs').status).toBe('succeeded');
  });
});
