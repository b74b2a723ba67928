import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GIT_TEST_IDENTITY, useTempGitRepositories, type TempGitRepository } from '../../testing/temp-git-repository';
import { openTaskWorkspace, type OpenTaskWorkspaceRequest } from './task-workspace';

const createRepository = useTempGitRepositories();
const baseEnv = { ...process.env, ...GIT_TEST_IDENTITY };

function open(repository: TempGitRepository, overrides: Partial<OpenTaskWorkspaceRequest>) {
  return openTaskWorkspace({
    workspaceRoot: repository.root,
    dataFolder: join(repository.root, '.nx/workspace-data'),
    recordsFolder: join(repository.root, '.agent-runs'),
    project: 'app',
    task: 'task',
    writes: ['apps/api/**'],
    isolation: 'shared',
    baseEnv,
    ...overrides,
  });
}

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

const files = { 'apps/api/a.ts': 'a', 'apps/web/b.ts': 'b', 'README.md': 'r' };

describe('openTaskWorkspace: shared checkout', () => {
  it('reports what a task that ran alone changed outside its writes; it warns by default and fails by option', async () => {
    const repository = createRepository(files);
    for (const [policy, fails] of [
      [undefined, false],
      ['fail', true],
    ] as const) {
      const workspace = await open(repository, { writeViolations: policy, task: `alone-${policy}` });
      expect(workspace.cwd).toBe(repository.root);
      repository.write('apps/api/a.ts', `changed (${policy})`);
      repository.write('README.md', `changed (${policy})`);
      repository.write('.agent-runs/app/task/result.json', '{}');
      const report = await workspace.settle({ succeeded: true, reportedFiles: [] });
      workspace.close();
      // Runs that end and start within one millisecond count as overlapping (the journal cannot order them).
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(report).toMatchObject({
        isolation: 'shared',
        checked: true,
        policy: policy ?? 'warn',
        inScope: ['apps/api/a.ts'],
        outOfScope: [{ path: 'README.md', attribution: 'alone' }],
        failsTask: fails,
      });
    }
  });

  it('with two runs at once: a change in the other one’s writes is presumed theirs, one in nobody’s is unattributed, one its agent reported is its own', async () => {
    const repository = createRepository(files);
    const api = await open(repository, { task: 'api', writes: ['apps/api/**'] });
    const web = await open(repository, { task: 'web', writes: ['apps/web/**'] });
    repository.write('apps/api/a.ts', 'api work');
    repository.write('apps/web/b.ts', 'web work');
    repository.write('README.md', 'someone');
    repository.write('package.json', '{"reported": "by the api agent"}');
    const apiReport = await api.settle({ succeeded: true, reportedFiles: ['apps/api/a.ts', 'package.json'] });
    const webReport = await web.settle({ succeeded: true, reportedFiles: [] });
    api.close();
    web.close();
    expect(apiReport).toMatchObject({
      inScope: ['apps/api/a.ts'],
      outOfScope: [
        { path: 'README.md', attribution: 'unattributed', candidates: ['app:web'] },
        { path: 'package.json', attribution: 'reported' },
      ],
      presumedOthers: [{ path: 'apps/web/b.ts', tasks: ['app:web'] }],
    });
    expect(webReport).toMatchObject({
      inScope: ['apps/web/b.ts'],
      outOfScope: [
        { path: 'README.md', attribution: 'unattributed' },
        { path: 'package.json', attribution: 'unattributed' },
      ],
      presumedOthers: [{ path: 'apps/api/a.ts', tasks: ['app:api'] }],
    });
  });

  it('checks nothing for a task that declares no writes, and says why', async () => {
    const repository = createRepository(files);
    const workspace = await open(repository, { writes: [] });
    repository.write('README.md', 'changed');
    expect(await workspace.settle({ succeeded: true, reportedFiles: [] })).toMatchObject({
      checked: false,
      note: expect.stringContaining('no writes'),
      failsTask: false,
    });
    workspace.close();
  });
});

describe('openTaskWorkspace: worktree', () => {
  it('lets the agent work in its own worktree and lands only the changes inside writes', async () => {
    const repository = createRepository(files);
    const workspace = await open(repository, { isolation: 'worktree', writeViolations: 'warn' });
    expect(workspace.isolated).toBe(true);
    expect(workspace.cwd).not.toBe(repository.root);
    write(workspace.cwd, 'apps/api/a.ts', 'agent work');
    write(workspace.cwd, 'README.md', 'out of scope');
    expect(repository.read('apps/api/a.ts')).toBe('a');
    const report = await workspace.settle({ succeeded: true, reportedFiles: [] });
    expect(report).toMatchObject({ checked: true, inScope: ['apps/api/a.ts'], outOfScope: [{ path: 'README.md', attribution: 'isolated' }], failsTask: false });
    expect(repository.read('apps/api/a.ts')).toBe('agent work');
    expect(repository.read('README.md')).toBe('r');
    expect(workspace.close()).toEqual({ removed: true });
    expect(repository.worktrees()).toEqual([repository.root]);
  });

  it('by default fails a run that wrote outside its writes, lands nothing, and saves its changes as a patch', async () => {
    const repository = createRepository(files);
    const workspace = await open(repository, { isolation: 'worktree' });
    write(workspace.cwd, 'apps/api/a.ts', 'agent work');
    write(workspace.cwd, 'apps/web/b.ts', 'not its file');
    const patchFile = join(repository.root, 'changes.patch');
    const report = await workspace.settle({ succeeded: true, reportedFiles: [], patchFile });
    workspace.close();
    expect(report).toMatchObject({ policy: 'fail', failsTask: true, inScope: [], outOfScope: [{ path: 'apps/web/b.ts', attribution: 'isolated' }], patchFile });
    expect(report.note).toMatch(/1 change inside writes not copied back: the run wrote outside its writes/);
    expect(repository.read('apps/api/a.ts')).toBe('a');
    expect(repository.read('apps/web/b.ts')).toBe('b');
    // The saved patch applies to the checkout and brings the work back.
    repository.git(['apply', patchFile]);
    expect(repository.read('apps/api/a.ts')).toBe('agent work');
  });

  it('lands nothing from a run that did not succeed, and removes its worktree', async () => {
    const repository = createRepository(files);
    const workspace = await open(repository, { isolation: 'worktree' });
    write(workspace.cwd, 'apps/api/a.ts', 'half done');
    const report = await workspace.settle({ succeeded: false, reportedFiles: [], patchFile: join(repository.root, 'failed.patch') });
    expect(report).toMatchObject({ failsTask: false, inScope: [], outOfScope: [] });
    expect(readFileSync(join(repository.root, 'failed.patch'), 'utf8')).toContain('+half done');
    expect(repository.read('apps/api/a.ts')).toBe('a');
    expect(workspace.close()).toEqual({ removed: true });
    expect(repository.worktrees()).toEqual([repository.root]);
  });
});
