import type { CreateDependenciesContext, ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import { setUpPluginWorkspace } from '../testing/plugin-workspace';

const { plugin, createWorkspace } = setUpPluginWorkspace();
const { createDependencies, createNodes } = plugin;

function contextWith(projects: Record<string, ProjectConfiguration>, workspaceRoot = '/unused'): CreateDependenciesContext {
  return {
    projects,
    externalNodes: {},
    nxJsonConfiguration: {},
    fileMap: { projectFileMap: {}, nonProjectFiles: [] },
    filesToProcess: { projectFileMap: {}, nonProjectFiles: [] },
    workspaceRoot,
  };
}

const agent = (dependsOn: TargetConfiguration['dependsOn']): TargetConfiguration => ({ executor: 'nx-agent-orchestrator:agent', dependsOn });
const project = (name: string, targets: Record<string, TargetConfiguration> = {}): ProjectConfiguration => ({ name, root: `libs/${name}`, targets });

describe('createDependencies', () => {
  it('draws one implicit edge per pair of projects that agent targets connect', async () => {
    const projects = {
      api: project('api', {
        'agent--write': agent([{ projects: ['shared'], target: 'agent--schema' }, 'agent--design', 'build']),
        'agent--test': agent([
          { projects: ['shared'], target: 'agent--fixtures' },
          { projects: 'web', target: 'agent--ui' },
        ]),
        'agent--design': agent([]),
      }),
      shared: project('shared', { 'agent--schema': agent(undefined), 'agent--fixtures': agent(undefined) }),
      web: project('web', { 'agent--ui': agent([{ projects: ['shared'], target: 'agent--schema' }]) }),
    };
    expect(await createDependencies({}, contextWith(projects))).toEqual([
      { source: 'api', target: 'shared', type: 'implicit' },
      { source: 'api', target: 'web', type: 'implicit' },
      { source: 'web', target: 'shared', type: 'implicit' },
    ]);
  });

  it("follows a template's tag to its workers' projects, but not to the source's own project nodes", async () => {
    const projects = {
      tools: project('tools', {
        'agent--report': agent([
          { projects: ['tag:agent-workers:tools:upgrade'], target: 'agent--upgrade' },
          { projects: ['tag:agent-workers:tools:port'], target: 'agent--port' },
        ]),
      }),
      a: { ...project('a', { 'agent--upgrade': agent([]) }), tags: ['lib', 'agent-workers:tools:upgrade'] },
      b: { ...project('b', { 'agent--upgrade': agent([]) }), tags: ['agent-workers:tools:upgrade'] },
      'tools--port--x.ts': {
        ...project('tools--port--x.ts', { 'agent--port': agent([]) }),
        tags: ['agent-workers:tools:port'],
        metadata: { agentTasks: { workRoot: 'libs/tools', owner: 'tools' } },
      },
    };
    expect(await createDependencies({}, contextWith(projects))).toEqual([
      { source: 'tools', target: 'a', type: 'implicit' },
      { source: 'tools', target: 'b', type: 'implicit' },
    ]);
  });

  it.each<{ name: string; target: TargetConfiguration }>([
    { name: 'a self edge', target: agent([{ projects: ['api'], target: 'agent--other' }]) },
    { name: 'a project that does not exist', target: agent([{ projects: ['ghost'], target: 'agent--x' }]) },
    { name: 'a target that is not an agent task', target: { executor: 'nx:run-commands', dependsOn: [{ projects: ['shared'], target: 'build' }] } },
    { name: 'dependencies of the project (^build), not named projects', target: agent(['^build', { dependencies: true, target: 'agent--x' }]) },
    { name: 'an error target (no dependsOn)', target: { executor: 'nx-agent-orchestrator:agent', options: { error: 'x' } } },
  ])('draws no edge for $name', async ({ target }) => {
    const projects = { api: project('api', { 'agent--x': target }), shared: project('shared') };
    expect(await createDependencies({}, contextWith(projects))).toEqual([]);
  });

  it('draws the edges of the targets createNodes inferred from a real workspace', async () => {
    const root = createWorkspace({
      'apps/api/project.json': '{ "name": "api" }',
      'apps/api/write.agent.md': '---\ndependsOn: ["shared:schema", "shared:types"]\n---\nWrite.\n',
      'libs/shared/project.json': '{ "name": "shared" }',
      'libs/shared/agent-tasks.json': '{ "tasks": [ { "id": "schema", "prompt": "S" }, { "id": "types", "prompt": "T" } ] }',
    });
    const nodes = await createNodes[1](['apps/api/write.agent.md', 'libs/shared/agent-tasks.json'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    const names: Record<string, string> = { 'apps/api': 'api', 'libs/shared': 'shared' };
    const projects: Record<string, ProjectConfiguration> = {};
    for (const [, result] of nodes) {
      for (const [projectRoot, configuration] of Object.entries(result.projects ?? {})) {
        const name = names[projectRoot];
        projects[name] = { ...configuration, name, root: projectRoot, targets: { ...projects[name]?.targets, ...configuration.targets } };
      }
    }
    expect(await createDependencies({}, contextWith(projects, root))).toEqual([{ source: 'api', target: 'shared', type: 'implicit' }]);
  });
});
