import { parseSpecFile } from '../task-spec/parse-spec-file';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import { buildAgentGraph, type AgentGraph, type SpecFileInput, type SpecProject } from './agent-graph';
import { findCycles } from './find-cycles';
import type { AgentTargetConfiguration } from './targets';

const api: SpecProject = { root: 'apps/api', name: 'api', inferred: false };
const shared: SpecProject = { root: 'libs/shared', name: 'shared', inferred: false };
const options = normalizePluginOptions({});

/** `agentTask(api, 'a', 'b', 'c')`: task a of api depending on b and c. */
function agentTask(owner: SpecProject, id: string, ...dependsOn: string[]): SpecFileInput {
  const content = ['---', `dependsOn: ${JSON.stringify(dependsOn)}`, '---', `Do ${id}.`, ''].join('\n');
  return { parsed: parseSpecFile(`${owner.root}/tasks/${id}.agent.md`, content), project: owner };
}

function targetsOf(graph: AgentGraph, project: string): Record<string, AgentTargetConfiguration> {
  return Object.assign({}, ...graph.files.filter((file) => file.project.name === project).map((file) => file.targets));
}

/** The task graph Nx would build from the emitted targets: `project:target` -> what it depends on. */
function emittedTaskGraph(graph: AgentGraph): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const { project, targets } of graph.files) {
    for (const [name, target] of Object.entries(targets)) {
      if (name === options.aggregateTarget) continue;
      const upstream = (target.dependsOn ?? []).map((dependency) =>
        typeof dependency === 'string' ? `${project.name}:${dependency}` : `${dependency.projects[0]}:${dependency.target}`,
      );
      edges.set(`${project.name}:${name}`, upstream);
    }
  }
  return edges;
}

function cycleMessages(graph: AgentGraph): Array<[string | undefined, string]> {
  return graph.problems.filter((problem) => problem.code === 'cycle').map((problem) => [problem.taskId, problem.message]);
}

describe('buildAgentGraph: dependency cycles', () => {
  const rows: Array<{ name: string; inputs: SpecFileInput[]; messages: Array<[string, string]> }> = [
    { name: 'a self-dependency', inputs: [agentTask(api, 'a', 'a')], messages: [['a', 'dependency cycle: a -> a']] },
    {
      name: 'two tasks',
      inputs: [agentTask(api, 'b', 'a'), agentTask(api, 'a', 'b')],
      messages: [
        ['a', 'dependency cycle: a -> b -> a'],
        ['b', 'dependency cycle: a -> b -> a'],
      ],
    },
    {
      name: 'three tasks, spelled in dependency order',
      inputs: [agentTask(api, 'a', 'b'), agentTask(api, 'b', 'c'), agentTask(api, 'c', 'a')],
      messages: [
        ['a', 'dependency cycle: a -> b -> c -> a'],
        ['b', 'dependency cycle: a -> b -> c -> a'],
        ['c', 'dependency cycle: a -> b -> c -> a'],
      ],
    },
    {
      name: 'across projects, spelled with project:id',
      inputs: [agentTask(api, 'write', 'shared:schema'), agentTask(shared, 'schema', 'api:write')],
      messages: [
        ['write', 'dependency cycle: api:write -> shared:schema -> api:write'],
        ['schema', 'dependency cycle: api:write -> shared:schema -> api:write'],
      ],
    },
    {
      name: 'a tangle of two loops fails all of its tasks',
      inputs: [agentTask(api, 'a', 'b'), agentTask(api, 'b', 'a', 'c'), agentTask(api, 'c', 'd'), agentTask(api, 'd', 'c', 'a')],
      messages: [
        ['a', 'dependency cycle: a -> b -> a'],
        ['b', 'dependency cycle: a -> b -> a'],
        ['c', 'dependency cycle: c -> d -> c'],
        ['d', 'dependency cycle: c -> d -> c'],
      ],
    },
  ];

  it.each(rows)('$name', ({ inputs, messages }) => {
    const graph = buildAgentGraph(inputs, options);
    expect(cycleMessages(graph)).toEqual(messages);
    expect(graph.problems).toHaveLength(messages.length);
    for (const [id] of messages) {
      const project = graph.files.find((file) => file.file.endsWith(`/${id}.agent.md`))!.project.name;
      const target = targetsOf(graph, project)[`agent--${id}`];
      expect(target.cache).toBe(false);
      expect(target.dependsOn).toBeUndefined();
    }
    // Nx refuses a task graph with a cycle: none may survive in what the plugin emits.
    expect(findCycles(emittedTaskGraph(graph)).cycles).toEqual([]);
  });

  it('locates each cycle problem at its task and puts it in the error option', () => {
    const list: SpecFileInput = {
      parsed: parseSpecFile(
        'apps/api/specs/03-tasks.json',
        JSON.stringify(
          {
            tasks: [
              { id: '1.1', subject: 'One', dependencies: ['1.2'] },
              { id: '1.2', subject: 'Two', dependencies: ['1.1'] },
            ],
          },
          null,
          2,
        ),
      ),
      project: api,
    };
    const graph = buildAgentGraph([list], options);
    expect(graph.problems).toEqual([
      { code: 'cycle', file: 'apps/api/specs/03-tasks.json', line: 3, taskId: '1.1', message: 'dependency cycle: 1.1 -> 1.2 -> 1.1' },
      { code: 'cycle', file: 'apps/api/specs/03-tasks.json', line: 10, taskId: '1.2', message: 'dependency cycle: 1.1 -> 1.2 -> 1.1' },
    ]);
    expect(targetsOf(graph, 'api')['agent--1.2'].options).toEqual({
      spec: 'apps/api/specs/03-tasks.json',
      task: '1.2',
      error: 'apps/api/specs/03-tasks.json:10: dependency cycle: 1.1 -> 1.2 -> 1.1',
    });
  });

  describe('a cycle beside a valid chain', () => {
    const graph = buildAgentGraph(
      [
        agentTask(api, 'p', 'q'),
        agentTask(api, 'q', 'r'),
        agentTask(api, 'r'),
        agentTask(api, 'x', 'y'),
        agentTask(api, 'y', 'x'),
        agentTask(api, 'after-loop', 'x', 'r'),
      ],
      options,
    );
    const targets = targetsOf(graph, 'api');

    it('leaves the chain and its edges alone', () => {
      expect([targets['agent--p'].dependsOn, targets['agent--q'].dependsOn, targets['agent--r'].dependsOn]).toEqual([['agent--q'], ['agent--r'], undefined]);
      expect([targets['agent--p'].cache, targets['agent--q'].cache, targets['agent--r'].cache]).toEqual([true, true, true]);
    });

    it('turns only the cycle members into error targets without dependsOn', () => {
      expect(cycleMessages(graph)).toEqual([
        ['x', 'dependency cycle: x -> y -> x'],
        ['y', 'dependency cycle: x -> y -> x'],
      ]);
      expect(targets['agent--x']).toMatchObject({ cache: false, options: { error: 'apps/api/tasks/x.agent.md:1: dependency cycle: x -> y -> x' } });
      expect(targets['agent--x'].dependsOn).toBeUndefined();
      expect(targets['agent--y'].dependsOn).toBeUndefined();
    });

    it('keeps the edge of a task that depends on a cycle member, so Nx skips it', () => {
      expect(targets['agent--after-loop']).toMatchObject({
        dependsOn: ['agent--x', 'agent--r'],
        options: { spec: 'apps/api/tasks/after-loop.agent.md', task: 'after-loop' },
      });
    });
  });
});
