import { parseSpecFile } from '../task-spec/parse-spec-file';
import { normalizePluginOptions, type AgentPluginOptions } from '../task-spec/plugin-options';
import { buildAgentGraph, type AgentGraph, type SpecFileInput, type SpecProject, type WorkspaceFacts } from './agent-graph';
import type { AgentTargetConfiguration } from './targets';

const api: SpecProject = { root: 'apps/api', name: 'api', inferred: false };
const shared: SpecProject = { root: 'libs/shared', name: 'shared', inferred: false };

/** One `*.agent.md` task in `owner`, from its frontmatter lines; realistic because the real parser reads it. */
function agentTask(owner: SpecProject, id: string, ...frontmatter: string[]): SpecFileInput {
  const file = `${owner.root}/tasks/${id}.agent.md`;
  const content = ['---', ...frontmatter, '---', `# Do ${id}`, '', 'Details.', ''].join('\n');
  return { parsed: parseSpecFile(file, content), project: owner };
}

/** A profile like the ones users define in nx.json. */
const IMPLEMENTER = { provider: 'claude-code' as const, model: 'sonnet', systemPrompt: 'Implement carefully.' };

function graphOf(inputs: SpecFileInput[], options: AgentPluginOptions = {}, workspace?: WorkspaceFacts): AgentGraph {
  const graph = buildAgentGraph(
    inputs,
    normalizePluginOptions({ defaultAgent: 'scripted', ...options, agents: { implementer: IMPLEMENTER, ...options.agents } }),
    workspace,
  );
  expect(graph.problems).toEqual([]);
  return graph;
}

/** Every target of a project, merged over its files the way Nx merges them. */
function targetsOf(graph: AgentGraph, project: string): Record<string, AgentTargetConfiguration> {
  return Object.assign({}, ...graph.files.filter((file) => file.project.name === project).map((file) => file.targets));
}

describe('buildAgentGraph: dependsOn', () => {
  const rows: Array<{ name: string; inputs: SpecFileInput[]; options?: AgentPluginOptions; target: string; dependsOn: AgentTargetConfiguration['dependsOn'] }> =
    [
      {
        name: 'a task of the same project is a plain target name',
        inputs: [agentTask(api, 'write', 'dependsOn: [design]'), agentTask(api, 'design')],
        target: 'agent--write',
        dependsOn: ['agent--design'],
      },
      {
        name: 'project:task is a target of another project',
        inputs: [agentTask(api, 'write', 'dependsOn: [shared:schema]'), agentTask(shared, 'schema')],
        target: 'agent--write',
        dependsOn: [{ projects: ['shared'], target: 'agent--schema' }],
      },
      {
        name: 'own-project:task is written as a plain name too',
        inputs: [agentTask(api, 'write', 'dependsOn: [api:design]'), agentTask(api, 'design')],
        target: 'agent--write',
        dependsOn: ['agent--design'],
      },
      {
        name: 'after names plain Nx targets, listed after the task edges',
        inputs: [agentTask(api, 'write', 'dependsOn: [shared:schema, design]', 'after: [build, lint]'), agentTask(api, 'design'), agentTask(shared, 'schema')],
        target: 'agent--write',
        dependsOn: [{ projects: ['shared'], target: 'agent--schema' }, 'agent--design', 'build', 'lint'],
      },
      {
        name: 'the blockedBy alias makes the same edges',
        inputs: [agentTask(api, 'write', 'blockedBy: design'), agentTask(api, 'design')],
        target: 'agent--write',
        dependsOn: ['agent--design'],
      },
      {
        name: 'no dependencies: no dependsOn at all',
        inputs: [agentTask(api, 'design')],
        target: 'agent--design',
        dependsOn: undefined,
      },
      {
        name: 'a custom targetPrefix names the edges',
        inputs: [agentTask(api, 'write', 'dependsOn: [design, shared:schema]'), agentTask(api, 'design'), agentTask(shared, 'schema')],
        options: { targetPrefix: 'ai-' },
        target: 'ai-write',
        dependsOn: ['ai-design', { projects: ['shared'], target: 'ai-schema' }],
      },
    ];

  it.each(rows)('$name', ({ inputs, options, target, dependsOn }) => {
    const targets = targetsOf(graphOf(inputs, options), 'api');
    expect(targets[target]).toBeDefined();
    expect(targets[target].dependsOn).toEqual(dependsOn);
  });
});

describe('buildAgentGraph: one valid task target', () => {
  it('carries spec, task and the profile digest in options; the key inputs; the run record as output', () => {
    const graph = graphOf([
      agentTask(
        api,
        'write',
        'description: Implement the REST endpoints',
        'agent: implementer',
        'model: sonnet',
        'dependsOn: [design]',
        'inputs: ["{projectRoot}/docs/api.md", "docs/notes.md", "./README.md", "!docs/secret.md", "{workspaceRoot}/AGENTS.md"]',
        'outputs: ["src/api/**"]',
        'writes: ["{projectRoot}/src/**"]',
        'retries: 2',
        'timeout: 15m',
        'cache: false',
      ),
      agentTask(api, 'design'),
    ]);
    expect(targetsOf(graph, 'api')['agent--write']).toEqual({
      executor: 'nx-agent-orchestrator:agent',
      options: { spec: 'apps/api/tasks/write.agent.md', task: 'write', profile: expect.stringMatching(/^implementer:[0-9a-f]{12}$/) },
      dependsOn: ['agent--design'],
      cache: false,
      inputs: [
        '{workspaceRoot}/apps/api/tasks/write.agent.md',
        '{projectRoot}/docs/api.md',
        '{projectRoot}/docs/notes.md',
        '{projectRoot}/README.md',
        '!{projectRoot}/docs/secret.md',
        '{workspaceRoot}/AGENTS.md',
        { dependentTasksOutputFiles: '**/*', transitive: true },
        { env: 'ANTHROPIC_BASE_URL' },
        { env: 'ANTHROPIC_MODEL' },
        { env: 'ANTHROPIC_SMALL_FAST_MODEL' },
        { env: 'CLAUDE_CODE_USE_BEDROCK' },
        { env: 'CLAUDE_CODE_USE_VERTEX' },
        { externalDependencies: [] },
      ],
      outputs: ['{workspaceRoot}/.agent-runs/api/write', '{projectRoot}/src/api/**'],
      metadata: {
        description: 'Implement the REST endpoints',
        technologies: ['ai-agents'],
        agentTask: {
          spec: 'apps/api/tasks/write.agent.md',
          line: 1,
          agent: 'implementer',
          provider: 'claude-code',
          model: 'sonnet',
          writes: ['{projectRoot}/src/**'],
        },
        help: { command: 'npx nx show project api --json', example: {} },
      },
    });
  });

  it('has no dependentTasksOutputFiles input without upstream agent tasks (after targets do not count)', () => {
    const targets = targetsOf(graphOf([agentTask(api, 'alone', 'after: [build]')]), 'api');
    expect(targets['agent--alone'].inputs).toEqual(['{workspaceRoot}/apps/api/tasks/alone.agent.md', { externalDependencies: [] }]);
    expect(targets['agent--alone'].outputs).toEqual(['{workspaceRoot}/.agent-runs/api/alone']);
  });

  it('falls back to the default agent and the first prompt line, and caches by default', () => {
    const target = targetsOf(graphOf([agentTask(api, 'alone')], { defaultAgent: 'scripted' }), 'api')['agent--alone'];
    expect(target.cache).toBe(true);
    expect(target.metadata).toMatchObject({ description: 'Do alone', agentTask: { agent: 'scripted' } });
  });

  it('never puts anything but spec, task and a profile digest in the options of any target (Nx hashes them into every task of the project)', () => {
    const decomposition: SpecFileInput = {
      parsed: parseSpecFile(
        'apps/api/specs/03-tasks.json',
        JSON.stringify({
          slug: 'auth',
          spec: 'Auth',
          tasks: [{ id: '1.1', phase: 1, phaseName: 'Setup', subject: 'Schema', description: 'Write it', size: 'S', priority: 'high', dependencies: [] }],
        }),
      ),
      project: api,
    };
    const graph = graphOf([decomposition, agentTask(api, 'write', 'agent: implementer', 'retries: 3', 'script:', '  summary: done')]);
    for (const [name, target] of Object.entries(targetsOf(graph, 'api'))) {
      if (name === 'agent') expect(target.options).toBeUndefined();
      else
        expect(
          Object.keys(target.options ?? {})
            .filter((key) => key !== 'profile')
            .sort(),
        ).toEqual(['spec', 'task']);
    }
    expect(targetsOf(graph, 'api')['agent--1.1'].options).toEqual({ spec: 'apps/api/specs/03-tasks.json', task: '1.1' });
    expect(Object.keys(targetsOf(graph, 'api')).sort()).toEqual(['agent', 'agent--1.1', 'agent--write']);
  });
});

describe('buildAgentGraph: what the cache key covers', () => {
  const digestOf = (graph: AgentGraph) => targetsOf(graph, 'api')['agent--write'].options?.profile;

  it('the nx.json profile digest changes with the profile and only with it', () => {
    const task = [agentTask(api, 'write', 'agent: implementer')];
    const base = digestOf(graphOf(task));
    expect(digestOf(graphOf(task, { agents: { implementer: { ...IMPLEMENTER } } }))).toBe(base);
    expect(digestOf(graphOf(task, { agents: { implementer: { ...IMPLEMENTER, systemPrompt: 'Other.' } } }))).not.toBe(base);
    expect(digestOf(graphOf(task, { agents: { implementer: { ...IMPLEMENTER, model: 'opus' } } }))).not.toBe(base);
    expect(digestOf(graphOf(task, { agents: { other: { provider: 'codex' } } }))).toBe(base);
  });

  it.each([
    {
      name: 'writes inside a project input: excluded in project form',
      inputs: '["{projectRoot}/src/**"]',
      writes: '["{projectRoot}/src/api/**"]',
      expected: ['{projectRoot}/src/**', '!{projectRoot}/src/api/**'],
    },
    {
      name: 'writes inside a workspace input: excluded in workspace form',
      inputs: '["{workspaceRoot}/apps/api/src/**"]',
      writes: '["src/api/**"]',
      expected: ['{workspaceRoot}/apps/api/src/**', '!{workspaceRoot}/apps/api/src/api/**'],
    },
    {
      name: 'writes a file it also reads',
      inputs: '["docs/api.md"]',
      writes: '["docs/api.md"]',
      expected: ['{projectRoot}/docs/api.md', '!{projectRoot}/docs/api.md'],
    },
    // A negation alone would mean "every project file but this" to Nx: all siblings' specs in the key.
    { name: 'writes no context input covers: no exclusion at all', inputs: '["docs/api.md"]', writes: '["src/**"]', expected: ['{projectRoot}/docs/api.md'] },
    { name: 'writes and no context inputs: no exclusion at all', inputs: '[]', writes: '["src/**"]', expected: [] },
  ])('$name', ({ inputs, writes, expected }) => {
    const target = targetsOf(graphOf([agentTask(api, 'write', `inputs: ${inputs}`, `writes: ${writes}`)]), 'api')['agent--write'];
    expect(target.inputs).toEqual(['{workspaceRoot}/apps/api/tasks/write.agent.md', ...expected, { externalDependencies: [] }]);
  });

  it('a .claude/agents profile is a file input, not an option; a bare provider id is neither', () => {
    const subagents = [{ name: 'reviewer', file: '.claude/agents/reviewer.md', profile: { provider: 'claude-code' as const, systemPrompt: 'Review.' } }];
    const graph = graphOf([agentTask(api, 'write', 'agent: reviewer'), agentTask(api, 'plain', 'agent: codex')], {}, { subagents, lockedPackages: new Set() });
    const targets = targetsOf(graph, 'api');
    expect(targets['agent--write'].options).toEqual({ spec: 'apps/api/tasks/write.agent.md', task: 'write' });
    expect(targets['agent--write'].inputs).toContain('{workspaceRoot}/.claude/agents/reviewer.md');
    expect(targets['agent--plain'].inputs).toEqual(['{workspaceRoot}/apps/api/tasks/plain.agent.md', { env: 'OPENAI_BASE_URL' }, { externalDependencies: [] }]);
  });

  it('names the plugin and the client package only where the workspace locks them', () => {
    const task = [agentTask(api, 'write', 'agent: implementer')];
    const inputs = (lockedPackages: string[]) =>
      targetsOf(graphOf(task, {}, { subagents: [], lockedPackages: new Set(lockedPackages) }), 'api')['agent--write'].inputs;
    expect(inputs(['nx-agent-orchestrator', '@anthropic-ai/claude-code', 'react'])).toContainEqual({
      externalDependencies: ['nx-agent-orchestrator', '@anthropic-ai/claude-code'],
    });
    expect(inputs(['nx-agent-orchestrator'])).toContainEqual({ externalDependencies: ['nx-agent-orchestrator'] });
    // Empty, not absent: an absent list makes Nx hash every external dependency of the workspace.
    expect(inputs([])).toContainEqual({ externalDependencies: [] });
  });

  it('an agent that is neither a profile nor a provider fails its task at graph time, listing the known names', () => {
    const graph = buildAgentGraph([agentTask(api, 'write', 'agent: implemneter')], normalizePluginOptions({ agents: { implementer: IMPLEMENTER } }));
    expect(graph.problems).toEqual([
      expect.objectContaining({
        code: 'unknown-agent',
        file: 'apps/api/tasks/write.agent.md',
        taskId: 'write',
        message: expect.stringContaining('Profiles (nx.json and .claude/agents): implementer; providers: claude-code'),
      }),
    ]);
    expect(targetsOf(graph, 'api')['agent--write'].options?.error).toContain('names agent "implemneter"');
  });
});

describe('buildAgentGraph: the aggregate target and target groups', () => {
  const inputs = [agentTask(api, 'b-second'), agentTask(shared, 'schema'), agentTask(api, 'a-first', 'dependsOn: [b-second]')];

  it('comes once per project, from the project file that sorts first', () => {
    const graph = graphOf(inputs);
    expect(graph.files.map(({ file, project, targetGroup }) => [file, project.name, targetGroup])).toEqual([
      ['apps/api/tasks/a-first.agent.md', 'api', ['agent', 'agent--a-first']],
      ['apps/api/tasks/b-second.agent.md', 'api', ['agent--b-second']],
      ['libs/shared/tasks/schema.agent.md', 'shared', ['agent', 'agent--schema']],
    ]);
    expect(graph.files.map((file) => Object.keys(file.targets))).toEqual([['agent', 'agent--a-first'], ['agent--b-second'], ['agent', 'agent--schema']]);
  });

  it('depends on a glob of the prefix, not a list (Nx replaces merged arrays)', () => {
    expect(targetsOf(graphOf(inputs), 'api').agent).toEqual({
      executor: 'nx:noop',
      dependsOn: ['agent--*'],
      metadata: { description: 'Run every agent task of api, each after what it depends on', technologies: ['ai-agents'] },
    });
  });

  it('honours custom targetPrefix and aggregateTarget everywhere', () => {
    const graph = graphOf(inputs, { targetPrefix: 'ai.', aggregateTarget: 'ai-all' });
    expect(graph.files.map((file) => file.targetGroup)).toEqual([['ai-all', 'ai.a-first'], ['ai.b-second'], ['ai-all', 'ai.schema']]);
    const targets = targetsOf(graph, 'api');
    expect(targets['ai-all'].dependsOn).toEqual(['ai.*']);
    expect(targets['ai.a-first'].dependsOn).toEqual(['ai.b-second']);
    expect(Object.keys(targets).some((name) => name.startsWith('agent'))).toBe(false);
  });

  it('lists every task of a task list in declaration order', () => {
    const list: SpecFileInput = {
      parsed: parseSpecFile(
        'apps/api/agent-tasks.yaml',
        ['tasks:', '  - id: zeta', '    prompt: Z', '  - id: alpha', '    prompt: A', '    dependsOn: zeta', ''].join('\n'),
      ),
      project: api,
    };
    const graph = graphOf([list]);
    expect(graph.files[0].targetGroup).toEqual(['agent', 'agent--zeta', 'agent--alpha']);
    expect(graph.files[0].targets['agent--alpha'].dependsOn).toEqual(['agent--zeta']);
    expect(graph.files[0].targets['agent--alpha'].metadata).toMatchObject({ agentTask: { spec: 'apps/api/agent-tasks.yaml', line: 4 } });
  });
});

describe('buildAgentGraph: determinism', () => {
  it('gives identical output for any input order', () => {
    const inputs = [
      agentTask(api, 'write', 'dependsOn: [design, shared:schema]'),
      agentTask(api, 'design', 'dependsOn: [missing]'),
      agentTask(shared, 'schema'),
      agentTask(shared, 'loop-a', 'dependsOn: [loop-b]'),
      agentTask(shared, 'loop-b', 'dependsOn: [loop-a]'),
      { parsed: parseSpecFile('apps/api/agent-tasks.json', '{ "tasks": [ { "id": "x", "prompt": "X" }, '), project: api },
    ];
    const options = normalizePluginOptions({});
    const expected = JSON.stringify(buildAgentGraph(inputs, options));
    // A fixed set of permutations, so a failure is reproducible.
    for (const order of [
      [5, 4, 3, 2, 1, 0],
      [2, 0, 5, 1, 4, 3],
      [3, 5, 0, 4, 2, 1],
    ]) {
      expect(
        JSON.stringify(
          buildAgentGraph(
            order.map((index) => inputs[index]),
            options,
          ),
        ),
      ).toBe(expected);
    }
    expect(JSON.parse(expected).problems).toHaveLength(4);
  });
});

describe('tasks in a project node', () => {
  const node: SpecProject = { root: 'apps/api', name: 'api--plan', inferred: true, node: { root: 'apps/api/.agent-produced/plan', owner: 'api', tags: [] } };

  it('write every path in {workspaceRoot} form, from the folder they work in (Nx fails on {projectRoot} in a file-less project)', () => {
    const graph = graphOf([
      agentTask(api, 'other'),
      agentTask(node, 'build-ui', 'inputs: ["src/**/*.ts", "!src/generated/**", "{workspaceRoot}/AGENTS.md"]', 'outputs: ["dist/ui"]', 'writes: ["src/ui/**"]'),
    ]);
    const target = targetsOf(graph, 'api--plan')['agent--build-ui'];
    expect(target.inputs).toEqual(
      expect.arrayContaining([
        '{workspaceRoot}/apps/api/src/**/*.ts',
        '!{workspaceRoot}/apps/api/src/generated/**',
        '{workspaceRoot}/AGENTS.md',
        '!{workspaceRoot}/apps/api/src/ui/**',
      ]),
    );
    expect(target.outputs).toEqual(['{workspaceRoot}/.agent-runs/api--plan/build-ui', '{workspaceRoot}/apps/api/dist/ui']);
    expect(JSON.stringify(targetsOf(graph, 'api--plan'))).not.toContain('{projectRoot}');
    // The node's aggregate reads its spec file (not the default {projectRoot}/**/*); its owner's runs the nodes by tag.
    expect(targetsOf(graph, 'api--plan').agent.inputs).toEqual(['{workspaceRoot}/apps/api/tasks/build-ui.agent.md']);
    expect(targetsOf(graph, 'api').agent.dependsOn).toEqual(['agent--*', { projects: ['tag:agent-nodes:api'], target: 'agent' }]);
    expect(targetsOf(graph, 'api').agent.inputs).toBeUndefined();
  });
});
