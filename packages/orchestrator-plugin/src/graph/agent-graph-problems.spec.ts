import { parseSpecFile } from '../task-spec/parse-spec-file';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import type { SpecProblem } from '../task-spec/spec-error';
import { buildAgentGraph, type AgentGraph, type SpecFileInput, type SpecProject } from './agent-graph';
import type { AgentTargetConfiguration } from './targets';

const api: SpecProject = { root: 'apps/api', name: 'api', inferred: false };
const shared: SpecProject = { root: 'libs/shared', name: 'shared', inferred: false };
const options = normalizePluginOptions({});

function agentTask(owner: SpecProject, file: string, ...frontmatter: string[]): SpecFileInput {
  const content = ['---', ...frontmatter, '---', 'Do it.', ''].join('\n');
  return { parsed: parseSpecFile(`${owner.root}/${file}`, content), project: owner };
}

function specFile(owner: SpecProject, file: string, content: string): SpecFileInput {
  return { parsed: parseSpecFile(`${owner.root}/${file}`, content), project: owner };
}

function targetsOf(graph: AgentGraph, project: string): Record<string, AgentTargetConfiguration> {
  return Object.assign({}, ...graph.files.filter((file) => file.project.name === project).map((file) => file.targets));
}

/** What an invalid task's (or file's) target must look like: it fails with exactly these problems when run. */
function expectedErrorTarget(file: string, task: string | undefined, problems: SpecProblem[]): AgentTargetConfiguration {
  return {
    executor: 'nx-agent-orchestrator:agent',
    options: {
      spec: file,
      ...(task ? { task } : {}),
      error: problems.map((problem) => `${problem.file}${problem.line ? `:${problem.line}` : ''}: ${problem.message}`).join('\n'),
    },
    cache: false,
    metadata: { description: `Invalid agent task spec: ${problems[0].message}`, technologies: ['ai-agents'], agentTask: { spec: file, invalid: true } },
  };
}

describe('buildAgentGraph: duplicate ids', () => {
  const graph = buildAgentGraph(
    [agentTask(api, 'tasks/dup.agent.md'), agentTask(api, 'other/x.agent.md', 'id: dup'), agentTask(shared, 'tasks/dup.agent.md')],
    options,
  );
  const places = 'apps/api/other/x.agent.md:1, apps/api/tasks/dup.agent.md:1';
  const problems: SpecProblem[] = [
    {
      code: 'duplicate-id',
      file: 'apps/api/other/x.agent.md',
      line: 1,
      taskId: 'dup',
      message: `task id "dup" is used 2 times in project "api" (${places}): ids must be unique per project`,
    },
    {
      code: 'duplicate-id',
      file: 'apps/api/tasks/dup.agent.md',
      line: 1,
      taskId: 'dup',
      message: `task id "dup" is used 2 times in project "api" (${places}): ids must be unique per project`,
    },
  ];

  it('reports one problem per place, each naming both places', () => {
    expect(graph.problems).toEqual(problems);
  });

  it('turns the task of both files into an error target carrying both problems', () => {
    const [first, second] = graph.files;
    expect(first.targets['agent--dup']).toEqual(expectedErrorTarget('apps/api/other/x.agent.md', 'dup', problems));
    expect(second.targets['agent--dup']).toEqual(expectedErrorTarget('apps/api/tasks/dup.agent.md', 'dup', problems));
  });

  it('allows the same id in another project', () => {
    expect(targetsOf(graph, 'shared')['agent--dup'].options).toEqual({ spec: 'libs/shared/tasks/dup.agent.md', task: 'dup' });
  });
});

describe('buildAgentGraph: unknown dependencies', () => {
  const rows = [
    { name: 'same project, with the closest match', reference: 'desing', message: 'no task "desing" exists in project "api". Did you mean "design"?' },
    { name: 'same project, nothing close', reference: 'deploy-everything', message: 'no task "deploy-everything" exists in project "api".' },
    {
      name: 'another project, with the closest task',
      reference: 'shared:shema',
      message: 'no task "shema" exists in project "shared". Did you mean "schema"?',
    },
    {
      name: 'an unknown project, with the closest project:task',
      reference: 'shraed:schema',
      message: 'no project "shraed" has agent tasks. Did you mean "shared:schema"?',
    },
    { name: 'an unknown project, nothing close', reference: 'billing:invoice', message: 'no project "billing" has agent tasks.' },
  ];

  it.each(rows)('$name', ({ reference, message }) => {
    const inputs = [
      agentTask(api, 'tasks/write.agent.md', `dependsOn: [design, "${reference}"]`),
      agentTask(api, 'tasks/design.agent.md'),
      agentTask(shared, 'tasks/schema.agent.md'),
    ];
    const graph = buildAgentGraph(inputs, options);
    const problem: SpecProblem = {
      code: 'unknown-dependency',
      file: 'apps/api/tasks/write.agent.md',
      line: 1,
      taskId: 'write',
      message: `task "write" depends on "${reference}", but ${message}`,
    };
    expect(graph.problems).toEqual([problem]);
    // A problem costs only what it touches: the error target keeps its valid edge (design).
    expect(targetsOf(graph, 'api')['agent--write']).toEqual({
      ...expectedErrorTarget('apps/api/tasks/write.agent.md', 'write', [problem]),
      dependsOn: ['agent--design'],
    });
  });

  it('with unknownDependencies "warn", reports a warning, drops only that edge and runs the task', () => {
    const inputs = [agentTask(api, 'tasks/write.agent.md', 'dependsOn: [design, DOR-676]'), agentTask(api, 'tasks/design.agent.md')];
    const graph = buildAgentGraph(inputs, { ...options, unknownDependencies: 'warn' });
    expect(graph.problems).toEqual([]);
    expect(graph.warnings).toEqual([
      {
        code: 'unknown-dependency',
        file: 'apps/api/tasks/write.agent.md',
        line: 1,
        taskId: 'write',
        message:
          'task "write" depends on "DOR-676", but no task "DOR-676" exists in project "api". The edge is dropped and the task runs (unknownDependencies: "warn").',
      },
    ]);
    const target = targetsOf(graph, 'api')['agent--write'];
    expect(target.options).toEqual({ spec: 'apps/api/tasks/write.agent.md', task: 'write' });
    expect(target.dependsOn).toEqual(['agent--design']);
  });
});

describe('buildAgentGraph: a task depending on an invalid task', () => {
  // Nx skips a dependent when its dependency fails, so the edge must stay.
  const graph = buildAgentGraph(
    [
      agentTask(api, 'tasks/broken.agent.md', 'dependsOn: [nowhere]'),
      agentTask(api, 'tasks/bad-field.agent.md', 'bogus: 1'),
      agentTask(api, 'tasks/next.agent.md', 'dependsOn: [broken, bad-field]'),
      agentTask(shared, 'tasks/user.agent.md', 'dependsOn: ["api:broken"]'),
    ],
    options,
  );

  it('keeps its edges and stays a valid target', () => {
    expect(targetsOf(graph, 'api')['agent--next'].dependsOn).toEqual(['agent--broken', 'agent--bad-field']);
    expect(targetsOf(graph, 'api')['agent--next'].options).toEqual({ spec: 'apps/api/tasks/next.agent.md', task: 'next' });
    expect(targetsOf(graph, 'shared')['agent--user'].dependsOn).toEqual([{ projects: ['api'], target: 'agent--broken' }]);
  });

  it('reports only the invalid tasks', () => {
    expect(graph.problems.map((problem) => [problem.code, problem.taskId])).toEqual([
      ['unknown-field', 'bad-field'],
      ['unknown-dependency', 'broken'],
    ]);
    expect(targetsOf(graph, 'api')['agent--bad-field'].cache).toBe(false);
  });
});

describe('buildAgentGraph: files that cannot be read as tasks', () => {
  const rows = [
    {
      name: 'a *.agent.md with invalid YAML is named after its file',
      file: 'tasks/broken.agent.md',
      content: '---\nid: [oops\n---\nDo it.\n',
      target: 'agent--broken',
    },
    {
      name: 'an agent-tasks.yaml with invalid YAML',
      file: 'agent-tasks.yaml',
      content: 'tasks:\n  - id: a\n    prompt: [x\n',
      target: 'agent--invalid-agent-tasks',
    },
    { name: 'an agent-tasks.json without a tasks list', file: 'agent-tasks.json', content: '{ "task": [] }', target: 'agent--invalid-agent-tasks' },
    { name: 'a 03-tasks.json with invalid JSON', file: 'specs/03-tasks.json', content: '{ "tasks": [ }', target: 'agent--invalid-03-tasks' },
  ];

  it.each(rows)('$name', ({ file, content, target }) => {
    const graph = buildAgentGraph([specFile(api, file, content), agentTask(api, 'tasks/fine.agent.md')], options);
    const problems = graph.problems.filter((problem) => problem.file === `${api.root}/${file}`);
    expect(problems).toHaveLength(graph.problems.length);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((problem) => problem.line !== undefined && problem.taskId === undefined)).toBe(true);
    const targets = targetsOf(graph, 'api');
    expect(targets[target]).toEqual(expectedErrorTarget(`${api.root}/${file}`, undefined, problems));
    expect(Object.keys(targets).sort()).toEqual(['agent', 'agent--fine', target].sort());
  });

  it('spells the error option as file:line: message lines', () => {
    const graph = buildAgentGraph([specFile(api, 'tasks/broken.agent.md', '---\nid: [oops\n---\nDo it.\n')], options);
    expect(targetsOf(graph, 'api')['agent--broken'].options).toEqual({
      spec: 'apps/api/tasks/broken.agent.md',
      error: 'apps/api/tasks/broken.agent.md:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    });
  });

  it('never names a file error target like another target of the project (Nx would merge the two)', () => {
    const graph = buildAgentGraph(
      [
        specFile(api, 'agent-tasks.json', '{'),
        specFile(api, 'sub/agent-tasks.yaml', 'tasks: [\n'),
        specFile(api, 'tasks/design.agent.md', '---\nid: [\n---\nDo it.\n'),
        agentTask(api, 'tasks/design-v2.agent.md', 'id: design'),
      ],
      options,
    );
    expect(graph.files.map((file) => [file.file, file.targetGroup])).toEqual([
      ['apps/api/agent-tasks.json', ['agent', 'agent--invalid-agent-tasks']],
      ['apps/api/sub/agent-tasks.yaml', ['agent--invalid-agent-tasks-2']],
      ['apps/api/tasks/design-v2.agent.md', ['agent--design']],
      ['apps/api/tasks/design.agent.md', ['agent--design-2']],
    ]);
    const targets = targetsOf(graph, 'api');
    expect(targets['agent--invalid-agent-tasks-2'].options).toMatchObject({ spec: 'apps/api/sub/agent-tasks.yaml' });
    expect(targets['agent--design'].options).toEqual({ spec: 'apps/api/tasks/design-v2.agent.md', task: 'design' });
    expect(targets['agent--design-2'].options).toMatchObject({ spec: 'apps/api/tasks/design.agent.md' });
  });

  it('gives a file that is only invalid the aggregate target of its project', () => {
    const graph = buildAgentGraph([specFile(api, 'agent-tasks.json', '{')], options);
    expect(graph.files[0].targetGroup).toEqual(['agent', 'agent--invalid-agent-tasks']);
  });
});

describe('buildAgentGraph: settings a provider cannot honour', () => {
  const withAgents = normalizePluginOptions({
    agents: { runner: { provider: 'command', command: ['x'], permissionMode: 'plan' }, coder: { provider: 'codex', tools: ['Read', 'Write'] } },
  });
  const graph = buildAgentGraph(
    [agentTask(api, 'tasks/restricted.agent.md', 'agent: runner'), agentTask(api, 'tasks/partial.agent.md', 'agent: coder')],
    withAgents,
  );

  it('a restriction nothing enforces makes the task an error target, before anything runs', () => {
    expect(targetsOf(graph, 'api')['agent--restricted'].options).toMatchObject({
      error: expect.stringContaining('provider "command" cannot honour "permissionMode"'),
    });
    expect(graph.problems).toEqual([expect.objectContaining({ code: 'unsupported-setting', taskId: 'restricted' })]);
  });

  it('a setting honoured in part is a reported warning, and the task still runs', () => {
    expect(targetsOf(graph, 'api')['agent--partial'].options).not.toHaveProperty('error');
    expect(graph.warnings).toEqual([
      {
        code: 'unsupported-setting',
        file: 'apps/api/tasks/partial.agent.md',
        line: 1,
        taskId: 'partial',
        message:
          'task "partial": provider "codex" cannot honour "tools" (Read, Write): codex chooses its own tools; the sandbox (permissionMode) limits what they may do',
      },
    ]);
  });
});
