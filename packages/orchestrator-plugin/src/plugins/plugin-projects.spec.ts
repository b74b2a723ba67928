import { minimatch } from 'minimatch';
import { setUpPluginWorkspace } from '../testing/plugin-workspace';

// First, before anything loads Nx: this file gets a parse cache of its own.
const {
  plugin: { createNodes, SPEC_GLOB },
  createWorkspace,
} = setUpPluginWorkspace();

interface InferredProject {
  file: string;
  root: string;
  /** Only set for a project the plugin defines itself. */
  name?: string;
  targets: string[];
}

/** What createNodes assigned each spec file to. */
async function projectsOf(files: Record<string, string | object>): Promise<InferredProject[]> {
  const root = createWorkspace(files);
  const specFiles = Object.keys(files).filter((file) => minimatch(file, SPEC_GLOB));
  const result = await createNodes[1](specFiles, {}, { workspaceRoot: root, nxJsonConfiguration: {} });
  return result.map(([file, nodes]) => {
    const entries = Object.entries(nodes.projects ?? {});
    expect(entries).toHaveLength(1);
    const [projectRoot, project] = entries[0];
    expect(project.root).toBe(projectRoot);
    return { file, root: projectRoot, ...(project.name ? { name: project.name } : {}), targets: Object.keys(project.targets ?? {}) };
  });
}

const task = (frontmatter = '') => `---\n${frontmatter}\n---\nDo it.\n`;

/** The dependsOn of a task in another project that depends on `<name>:target-task`, a task in `specFolder`. */
async function edgeTo(name: string, projectFiles: Record<string, object>, specFolder: string) {
  const files = {
    ...projectFiles,
    [`${specFolder}/target-task.agent.md`]: task(),
    'apps/user/project.json': { name: 'user' },
    'apps/user/probe.agent.md': task(`dependsOn: ["${name}:target-task"]`),
  };
  const root = createWorkspace(files);
  const result = await createNodes[1]([`${specFolder}/target-task.agent.md`, 'apps/user/probe.agent.md'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
  const probe = result.find(([file]) => file === 'apps/user/probe.agent.md')![1];
  return probe.projects!['apps/user'].targets!['agent--probe'].dependsOn;
}

describe('createNodes: which project a spec file belongs to', () => {
  beforeEach(() => jest.spyOn(process.stderr, 'write').mockImplementation(() => true));
  afterEach(() => jest.restoreAllMocks());

  it('picks the nearest project: a nested project.json wins over a package.json higher up', async () => {
    expect(
      await projectsOf({
        'libs/shared/package.json': { name: 'shared' },
        'libs/shared/tasks/outer.agent.md': task(),
        'libs/shared/nested/project.json': { name: 'nested' },
        'libs/shared/nested/deep/tasks/inner.agent.md': task(),
      }),
    ).toEqual([
      { file: 'libs/shared/nested/deep/tasks/inner.agent.md', root: 'libs/shared/nested', targets: ['agent', 'agent--inner'] },
      { file: 'libs/shared/tasks/outer.agent.md', root: 'libs/shared', targets: ['agent', 'agent--outer'] },
    ]);
  });

  it('makes a folder with no project a project of its own, named after the folder', async () => {
    expect(await projectsOf({ 'scratch/ideas/one.agent.md': task(), 'scratch/ideas/two.agent.md': task() })).toEqual([
      { file: 'scratch/ideas/one.agent.md', root: 'scratch/ideas', name: 'ideas', targets: ['agent', 'agent--one'] },
      { file: 'scratch/ideas/two.agent.md', root: 'scratch/ideas', name: 'ideas', targets: ['agent--two'] },
    ]);
  });

  it('names a folder with a decomposition after its slug, for every spec file in that folder', async () => {
    // Every file of the folder must agree on the name, or Nx keeps one and the others' edges break.
    expect(
      await projectsOf({
        'specs/auth/03-tasks.json': { slug: 'checkout', tasks: [{ id: '1.1', subject: 'Plan' }] },
        'specs/auth/extra.agent.md': task('dependsOn: ["1.1"]'),
        'specs/auth/agent-tasks.json': { tasks: [{ id: 'listed', prompt: 'P', dependsOn: 'extra' }] },
        'specs/auth/sub/notes.agent.md': task(),
      }),
    ).toEqual([
      { file: 'specs/auth/03-tasks.json', root: 'specs/auth', name: 'checkout', targets: ['agent', 'agent--1.1'] },
      { file: 'specs/auth/agent-tasks.json', root: 'specs/auth', name: 'checkout', targets: ['agent--listed'] },
      { file: 'specs/auth/extra.agent.md', root: 'specs/auth', name: 'checkout', targets: ['agent--extra'] },
      { file: 'specs/auth/sub/notes.agent.md', root: 'specs/auth/sub', name: 'sub', targets: ['agent', 'agent--notes'] },
    ]);
  });

  it('resolves an edge into the slug-named project from a spec beside the decomposition', async () => {
    const root = createWorkspace({
      'specs/auth/03-tasks.json': { slug: 'checkout', tasks: [{ id: '1.1', subject: 'Plan' }] },
      'specs/auth/extra.agent.md': task('dependsOn: ["1.1"]'),
    });
    const result = await createNodes[1](['specs/auth/03-tasks.json', 'specs/auth/extra.agent.md'], {}, { workspaceRoot: root, nxJsonConfiguration: {} });
    expect(result[1][1].projects!['specs/auth'].targets!['agent--extra'].dependsOn).toEqual(['agent--1.1']);
    expect(process.stderr.write).not.toHaveBeenCalled();
  });

  it.each<{ name: string; files: Record<string, object>; folder?: string; expected: string }>([
    {
      name: "project.json's name",
      files: { 'libs/a/project.json': { name: 'from-project-json' }, 'libs/a/package.json': { name: '@org/a' } },
      expected: 'from-project-json',
    },
    { name: "package.json's nx.name over its name", files: { 'libs/a/package.json': { name: '@org/a', nx: { name: 'a-nx' } } }, expected: 'a-nx' },
    { name: "package.json's name", files: { 'libs/a/package.json': { name: '@org/a' } }, expected: '@org/a' },
    {
      name: "a project.json without a name: its package.json's name, as Nx does",
      files: { 'libs/a/project.json': {}, 'libs/a/package.json': { name: '@org/a' } },
      expected: '@org/a',
    },
    { name: 'a package.json without a name: the folder, lower-cased', files: { 'libs/My-Lib/package.json': {} }, folder: 'libs/My-Lib', expected: 'my-lib' },
  ])('names an existing project as Nx does: $name', async ({ files, folder, expected }) => {
    // A cross-project edge resolves only under the name the plugin gave the project (else the probe is an error target without edges).
    expect(await edgeTo(expected, files, folder ?? 'libs/a')).toEqual([{ projects: [expected], target: 'agent--target-task' }]);
  });
});
