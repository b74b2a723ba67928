import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { setUpPluginWorkspace } from '../testing/plugin-workspace';
import { resolveInside } from '../task-spec/path-safety';

const { plugin, createWorkspace } = setUpPluginWorkspace();

/**
 * Every field that becomes a path, against `..`, absolute paths, backslashes and symbolic links,
 * through createNodes on a real folder: each either stays inside the workspace (proven by
 * resolving it) or is a problem that fails its task. The run-record folder's writes are proven in
 * e2e/path-safety.e2e.ts; scripted `files` belong to the agents layer.
 */
type Hostile = '..' | 'absolute' | 'backslash' | 'symlink';
const outside = mkdtempSync(join(tmpdir(), 'agent-outside-'));
afterAll(() => rmSync(outside, { recursive: true, force: true }));

const VALUES: Record<Hostile, string> = { '..': '../../../escape', absolute: `${outside}/x`, backslash: '..\\..\\escape', symlink: 'link/escape' };

async function nodesFor(files: Record<string, string | object>, withSymlink = false) {
  const root = createWorkspace({ 'nx.json': {}, ...files });
  if (withSymlink) symlinkSync(outside, join(root, 'apps/api/link'));
  const specFiles = Object.keys(files).filter((file) => !file.endsWith('project.json'));
  const results = await plugin.createNodes[1](specFiles, { defaultAgent: 'scripted' }, { workspaceRoot: root, nxJsonConfiguration: {} });
  return { root, results };
}

function targetsOf(results: Awaited<ReturnType<typeof nodesFor>>['results']) {
  return Object.assign({}, ...results.flatMap(([, result]) => Object.values(result.projects ?? {}).map((project) => project.targets ?? {})));
}

describe('path-safety table', () => {
  beforeEach(() => jest.spyOn(console, 'warn').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  describe.each(['outputs', 'writes', 'inputs'] as const)('%s', (field) => {
    it.each(Object.keys(VALUES) as Hostile[])('%s is a problem that fails the task', async (kind) => {
      mkdirSync(outside, { recursive: true });
      const { results } = await nodesFor(
        {
          'apps/api/project.json': { name: 'api' },
          'apps/api/tasks/t.agent.md': `---\n${field}: [${JSON.stringify(VALUES[kind])}]\n---\nDo it.\n`,
        },
        kind === 'symlink',
      );
      const target = targetsOf(results)['agent--t'];
      expect(target.options.error).toContain(`${field} ${JSON.stringify(VALUES[kind])} of task "t" leaves the workspace`);
    });

    it('a path inside the workspace is accepted and resolves inside it', async () => {
      const { root, results } = await nodesFor({
        'apps/api/project.json': { name: 'api' },
        'apps/api/tasks/t.agent.md': `---\n${field}: ["docs/../src/out.md", "{workspaceRoot}/shared/x.md"]\n---\nDo it.\n`,
      });
      const target = targetsOf(results)['agent--t'];
      expect(target.options.error).toBeUndefined();
      for (const path of ['apps/api/src/out.md', 'shared/x.md']) expect(relative(root, resolveInside(root, path))).toBe(path);
    });
  });

  it.each([
    ['a slug with ..', { 'specs/x/03-tasks.json': { slug: '../..', tasks: [{ id: '1', subject: 'S' }] } }, 'cannot name a project'],
    ['a slug with a backslash', { 'specs/x/03-tasks.json': { slug: '..\\..', tasks: [{ id: '1', subject: 'S' }] } }, 'cannot name a project'],
    ['an absolute slug', { 'specs/x/03-tasks.json': { slug: '/etc', tasks: [{ id: '1', subject: 'S' }] } }, 'cannot name a project'],
    ['a project name with ..', { 'apps/v/project.json': { name: '../../victim' }, 'apps/v/t.agent.md': 'Do it.' }, 'whose name cannot hold agent tasks'],
    ['a project name with a backslash', { 'apps/v/project.json': { name: '..\\victim' }, 'apps/v/t.agent.md': 'Do it.' }, 'whose name cannot hold agent tasks'],
    ['an absolute project name', { 'apps/v/project.json': { name: '/victim' }, 'apps/v/t.agent.md': 'Do it.' }, 'whose name cannot hold agent tasks'],
    [
      'a task id with ..',
      { 'apps/api/project.json': { name: 'api' }, 'apps/api/agent-tasks.json': { tasks: [{ id: '../x', prompt: 'p' }] } },
      'is not a valid target name',
    ],
    [
      'a task id with a backslash',
      { 'apps/api/project.json': { name: 'api' }, 'apps/api/agent-tasks.json': { tasks: [{ id: 'a\\b', prompt: 'p' }] } },
      'is not a valid target name',
    ],
    [
      'an absolute task id',
      { 'apps/api/project.json': { name: 'api' }, 'apps/api/agent-tasks.json': { tasks: [{ id: '/x', prompt: 'p' }] } },
      'is not a valid target name',
    ],
  ])('%s is a problem', async (_name, files, message) => {
    const { results } = await nodesFor(files as Record<string, object>);
    const messages = JSON.stringify(results);
    expect(messages).toContain(message);
  });

  it('valid ids with dots keep their record folder inside .agent-runs/<project>', async () => {
    const { root, results } = await nodesFor({
      'apps/api/project.json': { name: 'api' },
      'apps/api/agent-tasks.json': {
        tasks: [
          { id: 'a..b', prompt: 'p' },
          { id: '1.3', prompt: 'p' },
        ],
      },
    });
    const targets = targetsOf(results);
    const folders = ['agent--a..b', 'agent--1.3'].map((name) => targets[name].outputs[0].replace('{workspaceRoot}/', ''));
    expect(folders).toEqual(['.agent-runs/api/a..b', '.agent-runs/api/1.3']);
    for (const folder of folders) expect(resolveInside(resolve(root, '.agent-runs', 'api'), relative('.agent-runs/api', folder))).toBe(join(root, folder));
  });
});
