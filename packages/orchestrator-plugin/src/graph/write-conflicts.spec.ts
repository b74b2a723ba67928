import { parseSpecFile } from '../task-spec/parse-spec-file';
import { normalizePluginOptions, type AgentPluginOptions } from '../task-spec/plugin-options';
import { buildAgentGraph, type AgentGraph, type SpecFileInput, type SpecProject } from './agent-graph';
import type { AgentTargetConfiguration } from './targets';
import { checkWriteConflicts } from './write-conflicts';

const api: SpecProject = { root: 'apps/api', name: 'api', inferred: false };
const shared: SpecProject = { root: 'libs/shared', name: 'shared', inferred: false };

function agentTask(owner: SpecProject, id: string, ...frontmatter: string[]): SpecFileInput {
  const file = `${owner.root}/tasks/${id}.agent.md`;
  return { parsed: parseSpecFile(file, ['---', ...frontmatter, '---', `Do ${id}.`, ''].join('\n')), project: owner };
}

function graphOf(inputs: SpecFileInput[], options: AgentPluginOptions = {}): AgentGraph {
  return buildAgentGraph(inputs, normalizePluginOptions({ defaultAgent: 'scripted', ...options }));
}

function target(graph: AgentGraph, project: string, id: string): AgentTargetConfiguration {
  return Object.assign({}, ...graph.files.filter((file) => file.project.name === project).map((file) => file.targets))[`agent--${id}`];
}

describe('buildAgentGraph: overlapping writes, conflicts: serialize (the default)', () => {
  // Declaration order is file order: apps/api/... before libs/shared/...
  const graph = graphOf([
    agentTask(shared, 'types', 'writes: ["src/*.ts"]'),
    agentTask(api, 'client', 'writes: ["{workspaceRoot}/libs/shared/src/**"]'),
    agentTask(api, 'docs', 'writes: ["docs/**"]'),
  ]);

  it('orders the later-declared task after the earlier one, across projects, with a dependsOn edge', () => {
    expect(target(graph, 'shared', 'types').dependsOn).toEqual([{ projects: ['api'], target: 'agent--client' }]);
    expect(target(graph, 'api', 'client').dependsOn).toBeUndefined();
    expect(target(graph, 'api', 'docs').dependsOn).toBeUndefined();
  });

  it('reports it once, naming both tasks and a path both may write; no problem fails either', () => {
    expect(graph.problems).toEqual([]);
    expect(graph.warnings).toEqual([
      {
        code: 'write-conflict',
        file: 'libs/shared/tasks/types.agent.md',
        line: 1,
        taskId: 'types',
        message:
          'tasks "api:client" and "shared:types" can both write "libs/shared/src/x.ts" and no dependsOn orders them: "shared:types" runs after "api:client" (conflicts: serialize, in declaration order). Add a dependsOn to choose the order, or narrow their writes.',
      },
    ]);
    expect((target(graph, 'shared', 'types').metadata!.agentTask as Record<string, unknown>).serializedAfter).toEqual([
      { task: 'api:client', path: 'libs/shared/src/x.ts' },
    ]);
  });

  it('leaves tasks alone that a dependsOn path already orders, and globs that cannot meet', () => {
    const ordered = graphOf([
      agentTask(api, 'a', 'writes: ["src/**"]'),
      agentTask(api, 'b', 'writes: ["src/index.ts"]', 'dependsOn: [c]'),
      agentTask(api, 'c', 'writes: ["src/*.ts"]', 'dependsOn: [a]'),
      agentTask(api, 'd', 'writes: ["src/*.js", "test/**"]', 'dependsOn: [a]'),
      agentTask(shared, 'f', 'writes: ["src/**"]'),
    ]);
    expect(ordered.warnings).toEqual([]);
    expect(target(ordered, 'api', 'b').dependsOn).toEqual(['agent--c']);
  });

  it('honours a negation that takes a whole folder out of the writes', () => {
    const apart = graphOf([agentTask(api, 'a', 'writes: ["src/**", "!src/gen/**"]'), agentTask(api, 'b', 'writes: ["src/gen/*.ts", "src/gen/index.js"]')]);
    expect(apart.warnings).toEqual([]);
    const meeting = graphOf([agentTask(api, 'a', 'writes: ["src/**", "!src/gen/**"]'), agentTask(api, 'b', 'writes: ["src/*/index.ts"]')]);
    expect(meeting.warnings.map((warning) => warning.code)).toEqual(['write-conflict']);
  });

  it('chains three writers of one folder in declaration order, without redundant edges', () => {
    const chained = graphOf([
      agentTask(api, 'a', 'writes: ["src/**"]'),
      agentTask(api, 'b', 'writes: ["src/**"]'),
      agentTask(api, 'c', 'writes: ["src/x.ts"]'),
    ]);
    expect([target(chained, 'api', 'a').dependsOn, target(chained, 'api', 'b').dependsOn, target(chained, 'api', 'c').dependsOn]).toEqual([
      undefined,
      ['agent--a'],
      ['agent--b'],
    ]);
    expect(chained.warnings.map((warning) => warning.taskId)).toEqual(['b', 'c']);
  });

  it('counts a decomposition entry’s writes like any other task’s', () => {
    const decomposition = {
      parsed: parseSpecFile(
        'apps/api/03-tasks.json',
        JSON.stringify({ slug: 'x', tasks: [{ id: '1.1', subject: 'Routes', writes: ['src/routes/**'] }] }, null, 2),
      ),
      project: api,
    };
    const mixed = graphOf([decomposition, agentTask(api, 'routes', 'writes: ["src/routes/users.ts"]')]);
    expect(target(mixed, 'api', 'routes').dependsOn).toEqual(['agent--1.1']);
  });
});

describe('buildAgentGraph: overlapping writes, conflicts: error', () => {
  const graph = graphOf([agentTask(api, 'a', 'writes: ["src/**"]'), agentTask(shared, 'b', 'writes: ["{workspaceRoot}/apps/api/src/main.ts"]')], {
    conflicts: 'error',
  });

  it('fails both tasks, each naming the other', () => {
    const message =
      'tasks "api:a" and "shared:b" can both write "apps/api/src/main.ts" and no dependsOn orders them (conflicts: error; "OTHER" fails too). Add a dependsOn between them, or narrow their writes.';
    expect(graph.problems).toEqual([
      { code: 'write-conflict', file: 'apps/api/tasks/a.agent.md', line: 1, taskId: 'a', message: message.replace('OTHER', 'shared:b') },
      { code: 'write-conflict', file: 'libs/shared/tasks/b.agent.md', line: 1, taskId: 'b', message: message.replace('OTHER', 'api:a') },
    ]);
    expect((target(graph, 'api', 'a').options as { error: string }).error).toContain('"shared:b" fails too');
    expect((target(graph, 'shared', 'b').options as { error: string }).error).toContain('"api:a" fails too');
  });

  it('rejects an unknown mode with the known ones', () => {
    expect(() => normalizePluginOptions({ conflicts: 'merge' })).toThrow(/option "conflicts"/);
  });
});

describe('buildAgentGraph: reading what an unordered task writes', () => {
  it('is reported as a race on the reader, and kept in its metadata', () => {
    const graph = graphOf([agentTask(api, 'reader', 'inputs: ["{workspaceRoot}/libs/shared/docs/*.md"]'), agentTask(shared, 'writer', 'writes: ["docs/**"]')]);
    expect(graph.warnings).toEqual([
      {
        code: 'write-race',
        file: 'apps/api/tasks/reader.agent.md',
        line: 1,
        taskId: 'reader',
        message:
          'task "api:reader" reads "libs/shared/docs/x.md", which "shared:writer" may write, and no dependsOn orders them: it may read it before or after the write. Add a dependsOn.',
      },
    ]);
    expect((target(graph, 'api', 'reader').metadata!.agentTask as Record<string, unknown>).races).toEqual([
      { writer: 'shared:writer', path: 'libs/shared/docs/x.md' },
    ]);
  });

  it('is no race once a dependsOn orders the two, either way', () => {
    for (const [readerExtra, writerExtra] of [
      ['dependsOn: [shared:writer]', ''],
      ['', 'dependsOn: [api:reader]'],
    ]) {
      const graph = graphOf([
        agentTask(api, 'reader', 'inputs: ["{workspaceRoot}/libs/shared/docs/*.md"]', ...(readerExtra ? [readerExtra] : [])),
        agentTask(shared, 'writer', 'writes: ["docs/**"]', ...(writerExtra ? [writerExtra] : [])),
      ]);
      expect(graph.warnings).toEqual([]);
    }
  });
});

describe('checkWriteConflicts', () => {
  it('never adds an edge between tasks that are already ordered, so the graph stays acyclic', () => {
    const tasks = ['a', 'b', 'c', 'd'].map((id) => ({
      key: `p:${id}`,
      task: { id, file: `${id}.agent.md`, writes: ['src/**'], inputs: [] },
      projectRoot: '.',
    }));
    // d -> a is declared: d runs first although it is declared last.
    const edges = new Map([
      ['p:a', ['p:d']],
      ['p:b', []],
      ['p:c', []],
      ['p:d', []],
    ]);
    const check = checkWriteConflicts({ tasks, edges, mode: 'serialize' });
    expect(check.serializations).toEqual([
      { task: 'p:b', after: 'p:a' },
      { task: 'p:c', after: 'p:b' },
    ]);
  });
});
