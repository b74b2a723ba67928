import { setUpPluginWorkspace } from '../testing/plugin-workspace';

// First, before anything loads Nx: this file gets a parse cache of its own.
const {
  plugin: { createNodes },
  createWorkspace,
} = setUpPluginWorkspace();

const FILES = {
  'apps/api/project.json': { name: 'api' },
  'apps/api/good.agent.md': '---\nid: good\n---\nDo it.\n',
  'apps/api/bad.agent.md': '---\nretries: many\n---\nDo it.\n',
  'libs/web/project.json': { name: 'web' },
  'libs/web/agent-tasks.json': '{ "tasks": [\n  { "id": "a", "prompt": "A" },\n  { "id": "b" "prompt": "B" }\n] }\n',
  'specs/plan/03-tasks.json':
    '{ "slug": "plan", "tasks": [\n  { "id": "1", "subject": "One", "parallelWith": ["2"] },\n  { "id": "2", "subject": "Two", "dependencies": ["1"] }\n] }\n',
};
const SPEC_FILES = Object.keys(FILES).filter((file) => !file.endsWith('project.json'));

describe('createNodes with invalid specs', () => {
  // The report goes through Nx's plugin-worker log channel, which falls back to console.warn outside a worker.
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    stderr = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('does not throw: valid tasks load, each invalid task or file becomes a target that fails with its problem', async () => {
    const root = createWorkspace(FILES);
    const result = await createNodes[1](SPEC_FILES, {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    const summary = result.map(([file, nodes]) => {
      const [project] = Object.values(nodes.projects ?? {});
      return [
        file,
        Object.fromEntries(
          Object.entries(project.targets ?? {}).map(([name, target]) => [name, target.options?.error ?? target.options?.task ?? target.executor]),
        ),
      ];
    });
    expect(summary).toMatchInlineSnapshot(`
[
  [
    "apps/api/bad.agent.md",
    {
      "agent": "nx:noop",
      "agent--bad": "apps/api/bad.agent.md:2: field "retries" of task "bad": expected a number, got "many"",
    },
  ],
  [
    "apps/api/good.agent.md",
    {
      "agent--good": "good",
    },
  ],
  [
    "libs/web/agent-tasks.json",
    {
      "agent": "nx:noop",
      "agent--invalid-agent-tasks": "libs/web/agent-tasks.json:3: invalid JSON: expected "," or "}" after a property value, found \`"prompt"\`",
    },
  ],
  [
    "specs/plan/03-tasks.json",
    {
      "agent": "nx:noop",
      "agent--1": "1",
      "agent--2": "2",
    },
  ],
]
`);
  });

  it('reports every problem and warning through the plugin log channel, one line each with file and line', async () => {
    const root = createWorkspace(FILES);
    await createNodes[1](SPEC_FILES, { aggregateTarget: 'all-agents' }, { workspaceRoot: root, nxJsonConfiguration: {} });
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(stderr.mock.calls[0][0]).toMatchInlineSnapshot(`
"nx-agent-orchestrator: 2 problems in 2 agent task spec files. Valid tasks still run; running an invalid one fails with its problem.
  apps/api/bad.agent.md:2: field "retries" of task "bad": expected a number, got "many"
  libs/web/agent-tasks.json:3: invalid JSON: expected "," or "}" after a property value, found \`"prompt"\`
nx-agent-orchestrator: 1 warning (the tasks still run as the dependencies say; \`nx run-many -t all-agents\` is unaffected):
  specs/plan/03-tasks.json:2: "1" lists "2" as parallel, but "2" depends on "1": they will run one after the other"
`);
  });

  it('prints nothing once the specs are fixed', async () => {
    const root = createWorkspace({ 'apps/api/project.json': { name: 'api' }, 'apps/api/good.agent.md': FILES['apps/api/good.agent.md'] });
    await createNodes[1](['apps/api/good.agent.md'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    expect(stderr).not.toHaveBeenCalled();
  });
});

describe('createNodes with bad plugin options', () => {
  const root = createWorkspace({ 'apps/api/project.json': { name: 'api' }, 'apps/api/good.agent.md': FILES['apps/api/good.agent.md'] });
  const run = (options: unknown) => () => createNodes[1](['apps/api/good.agent.md'], options as never, { workspaceRoot: root, nxJsonConfiguration: {} });

  it('throws for a misspelt option, naming it and the option it resembles', () => {
    expect(run({ targetprefix: 'ai-' })).toThrow(
      'Invalid options for the nx-agent-orchestrator plugin in nx.json:\n  unknown option "targetprefix". Did you mean "targetPrefix"?',
    );
  });

  it('throws for an aggregate target the prefix glob would make depend on itself', () => {
    expect(run({ targetPrefix: 'ai', aggregateTarget: 'ai-all' })).toThrow(
      'aggregateTarget "ai-all" starts with targetPrefix "ai", so it would depend on itself',
    );
  });

  it('accepts no options at all', () => {
    expect(run(undefined)).not.toThrow();
  });
});

describe('createNodes with names that read as paths', () => {
  beforeEach(() => jest.spyOn(process.stderr, 'write').mockImplementation(() => true));
  afterEach(() => jest.restoreAllMocks());

  it('names a project after its folder when the slug is not a safe name, and fails the tasks of a project whose name is a path', async () => {
    const root = createWorkspace({
      'specs/escape/03-tasks.json': '{ "slug": "../..", "tasks": [ { "id": "1.1", "subject": "One" } ] }\n',
      'apps/victim/project.json': { name: '../../victim' },
      'apps/victim/x.agent.md': 'Do it.\n',
    });
    const result = await createNodes[1](['specs/escape/03-tasks.json', 'apps/victim/x.agent.md'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    const projects = Object.fromEntries(result.map(([file, nodes]) => [file, Object.values(nodes.projects ?? {})[0]]));
    const escape = projects['specs/escape/03-tasks.json'];
    expect(escape.name).toBe('escape');
    expect(escape.targets?.['agent--1.1'].outputs?.[0]).toBe('{workspaceRoot}/.agent-runs/escape/1.1');
    expect(escape.targets?.['agent--invalid-03-tasks'].options.error).toContain('"slug" "../.." cannot name a project');
    const victim = projects['apps/victim/x.agent.md'];
    expect(victim.targets?.['agent--x'].options.error).toContain('belongs to project "../../victim", whose name cannot hold agent tasks');
    expect(victim.targets?.['agent--x'].outputs).toBeUndefined();
  });
});
