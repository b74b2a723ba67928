import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstLine, startTypeScriptChild } from '../../testing/typescript-child';
import { GIT_TEST_IDENTITY, useTempGitRepositories, type TempGitRepository } from '../../testing/temp-git-repository';
import { createTaskWorktree, type TaskWorktree } from './task-worktree';
import { createWriteScope } from './write-scope';

const createRepository = useTempGitRepositories();

/** A script for a child process that creates a worktree of `repository`, then does `then`. */
function childScript(repository: TempGitRepository, then: string): string {
  return `
    const { createTaskWorktree } = require(${JSON.stringify(require.resolve('./task-worktree'))});
    createTaskWorktree({
      workspaceRoot: ${JSON.stringify(repository.root)},
      worktreesFolder: ${JSON.stringify(worktreesFolder(repository))},
      project: 'api',
      task: 'in-child',
    }).then((worktree) => { ${then} });
  `;
}
const baseEnv = { ...process.env, ...GIT_TEST_IDENTITY };

function worktreesFolder(repository: TempGitRepository): string {
  return join(repository.root, '.nx/workspace-data/agent-worktrees');
}

async function worktreeFor(repository: TempGitRepository, task = 'write-api', workspaceRoot = repository.root): Promise<TaskWorktree> {
  return createTaskWorktree({
    workspaceRoot,
    worktreesFolder: worktreesFolder(repository),
    exclude: [join(repository.root, '.nx/workspace-data')],
    project: 'api',
    task,
    baseEnv,
  });
}

describe('createTaskWorktree', () => {
  it('starts from HEAD plus the uncommitted changes, tracked and untracked, and leaves the checkout alone', async () => {
    const repository = createRepository({ 'src/a.ts': 'a1', 'src/b.ts': 'b1', 'src/staged.ts': 's1', 'README.md': 'readme' });
    repository.write('src/a.ts', 'a2 (edited, not staged)');
    repository.write('src/staged.ts', 's2 (staged)');
    repository.git(['add', 'src/staged.ts']);
    repository.remove('src/b.ts');
    repository.write('notes/new.md', 'untracked');
    repository.write('node_modules/tool/index.js', 'module.exports = 1');
    const statusBefore = repository.git(['status', '--porcelain']);
    const stagedBefore = repository.git(['diff', '--cached', '--name-only']);

    const worktree = await worktreeFor(repository);
    try {
      const inside = (path: string) => join(worktree.path, path);
      expect(readFileSync(inside('src/a.ts'), 'utf8')).toBe('a2 (edited, not staged)');
      expect(readFileSync(inside('src/staged.ts'), 'utf8')).toBe('s2 (staged)');
      expect(existsSync(inside('src/b.ts'))).toBe(false);
      expect(readFileSync(inside('notes/new.md'), 'utf8')).toBe('untracked');
      // The user's changes are uncommitted changes there too, on the user's HEAD.
      expect(repository.git(['rev-parse', 'HEAD'], worktree.path)).toBe(repository.git(['rev-parse', 'HEAD']));
      expect(repository.git(['status', '--porcelain'], worktree.path).split('\n').filter(Boolean).sort()).toEqual(
        [' D src/b.ts', ' M src/a.ts', ' M src/staged.ts', '?? notes/'].sort(),
      );
      // node_modules is the workspace's own, linked.
      expect(lstatSync(inside('node_modules')).isSymbolicLink()).toBe(true);
      expect(readFileSync(inside('node_modules/tool/index.js'), 'utf8')).toBe('module.exports = 1');
      // The checkout, its index included, is as it was; no worktree folder shows in it.
      expect(repository.git(['status', '--porcelain'])).toBe(statusBefore);
      expect(repository.git(['diff', '--cached', '--name-only'])).toBe(stagedBefore);
      expect(repository.worktrees()).toHaveLength(2);
    } finally {
      worktree.remove();
    }
    expect(repository.worktrees()).toEqual([repository.root]);
  });

  it('lists what the agent changed, ignored outputs inside the scope included, links and Nx state left out', async () => {
    const repository = createRepository({ 'src/a.ts': 'a', 'src/gone.ts': 'x', 'run.sh': 'echo' }, { gitignore: 'node_modules/\n.nx\ndist/\n' });
    repository.write('node_modules/x.js', '');
    repository.write('src/uncommitted.ts', 'the user wrote this');
    const worktree = await worktreeFor(repository);
    try {
      const write = (path: string, content: string) => {
        mkdirSync(join(worktree.path, path, '..'), { recursive: true });
        writeFileSync(join(worktree.path, path), content);
      };
      write('src/a.ts', 'a changed');
      write('src/new.ts', 'new');
      write('dist/out.js', 'built');
      write('dist/other.map', 'built, outside the scope');
      write('.nx/workspace-data/project-graph.json', '{}');
      repository.remove('src/gone.ts');
      spawnSync('rm', [join(worktree.path, 'src/gone.ts')]);
      spawnSync('chmod', ['+x', join(worktree.path, 'run.sh')]);
      const changes = await worktree.listChanges(createWriteScope(['src/**', 'dist/*.js', 'run.sh']));
      expect(changes.map(({ path, kind, ignored, newMode }) => ({ path, kind, ignored, newMode })).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: 'dist/out.js', kind: 'added', ignored: true, newMode: '100644' },
        { path: 'run.sh', kind: 'modified', ignored: false, newMode: '100755' },
        { path: 'src/a.ts', kind: 'modified', ignored: false, newMode: '100644' },
        { path: 'src/gone.ts', kind: 'deleted', ignored: false, newMode: '000000' },
        { path: 'src/new.ts', kind: 'added', ignored: false, newMode: '100644' },
      ]);
      // With `node_modules/` (folders only) the link is not ignored: it must still never count as a change.
      expect(changes.some((change) => change.path.startsWith('node_modules'))).toBe(false);
      const patch = await worktree.patch(createWriteScope(['src/**']));
      expect(patch).toContain('+a changed');
      expect(patch).toContain('deleted file mode');
    } finally {
      worktree.remove();
    }
  });

  it('copies the ignored files .worktreeinclude names, and counts them as changes only when the agent changes them', async () => {
    const repository = createRepository(
      { '.worktreeinclude': '.env\nconfig/*.local.json\n', 'config/app.json': '{}' },
      { gitignore: 'node_modules\n.nx\n.env\n*.local.json\ndist/\n' },
    );
    repository.write('.env', 'TOKEN=local');
    repository.write('config/app.local.json', '{"local": true}');
    repository.write('dist/bundle.js', 'not named by .worktreeinclude');
    const worktree = await worktreeFor(repository);
    try {
      expect(readFileSync(join(worktree.path, '.env'), 'utf8')).toBe('TOKEN=local');
      expect(readFileSync(join(worktree.path, 'config/app.local.json'), 'utf8')).toBe('{"local": true}');
      expect(existsSync(join(worktree.path, 'dist'))).toBe(false);
      const scope = createWriteScope(['config/**', '.env']);
      expect(await worktree.listChanges(scope)).toEqual([]);
      writeFileSync(join(worktree.path, 'config/app.local.json'), '{"local": "changed"}');
      expect((await worktree.listChanges(scope)).map((change) => [change.path, change.ignored])).toEqual([['config/app.local.json', true]]);
    } finally {
      worktree.remove();
    }
  });

  it('works for a workspace in a folder of the repository, with workspace-relative paths', async () => {
    const repository = createRepository({ 'workspaces/web/src/a.ts': 'a', 'other/x.ts': 'x' });
    const worktree = await worktreeFor(repository, 'nested', join(repository.root, 'workspaces/web'));
    try {
      expect(worktree.workspaceRoot).toBe(join(worktree.path, 'workspaces/web'));
      writeFileSync(join(worktree.workspaceRoot, 'src/a.ts'), 'changed');
      writeFileSync(join(worktree.path, 'other/x.ts'), 'outside the workspace');
      const changes = await worktree.listChanges(createWriteScope(['src/**']));
      expect(changes.map(({ path, workspacePath }) => ({ path, workspacePath }))).toEqual([
        { path: 'other/x.ts', workspacePath: undefined },
        { path: 'workspaces/web/src/a.ts', workspacePath: 'src/a.ts' },
      ]);
    } finally {
      worktree.remove();
    }
  });

  it('keeps commits the agent made that no branch holds on a new branch, and says so', async () => {
    const repository = createRepository({ 'a.txt': 'a' });
    const worktree = await worktreeFor(repository);
    writeFileSync(join(worktree.path, 'a.txt'), 'committed by the agent');
    repository.git(['commit', '-qam', 'agent work'], worktree.path);
    const commit = repository.git(['rev-parse', 'HEAD'], worktree.path).trim();
    const removal = worktree.remove();
    expect(removal.removed).toBe(true);
    expect(removal.keptBranch).toMatchObject({ commit, commits: 1 });
    expect(removal.keptBranch!.name).toMatch(/^nx-agent\/api\/write-api-\d{8}-\d{6}$/);
    expect(repository.git(['log', '-1', '--format=%s', removal.keptBranch!.name]).trim()).toBe('agent work');
    expect(repository.worktrees()).toEqual([repository.root]);
    // Removing twice does nothing more.
    expect(worktree.remove()).toBe(removal);
  });

  it('makes no branch when the agent committed onto a branch of its own, and never deletes that branch', async () => {
    const repository = createRepository({ 'a.txt': 'a' });
    const worktree = await worktreeFor(repository);
    repository.git(['switch', '-qc', 'agent-feature'], worktree.path);
    writeFileSync(join(worktree.path, 'a.txt'), 'b');
    repository.git(['commit', '-qam', 'feature'], worktree.path);
    expect(worktree.remove()).toEqual({ removed: true });
    expect(repository.git(['log', '-1', '--format=%s', 'agent-feature']).trim()).toBe('feature');
    expect(repository.git(['branch', '--list', 'nx-agent/*']).trim()).toBe('');
  });

  it('is removed when its process exits without removing it', async () => {
    const repository = createRepository({ 'a.txt': 'a' });
    const child = startTypeScriptChild(childScript(repository, 'console.log(worktree.path); setTimeout(() => process.exit(3), 50);'), { env: baseEnv });
    const path = await firstLine(child);
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    expect(existsSync(path)).toBe(false);
    expect(repository.worktrees()).toEqual([repository.root]);
    expect(readdirSync(worktreesFolder(repository))).toEqual([]);
  });

  it('removes, before making a new one, the worktree of a run killed with SIGKILL', async () => {
    const repository = createRepository({ 'a.txt': 'a' });
    const child = startTypeScriptChild(childScript(repository, 'console.log(worktree.path); setInterval(() => undefined, 1000);'), { env: baseEnv });
    const stale = await firstLine(child);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    expect(existsSync(stale)).toBe(true);
    expect(JSON.parse(readFileSync(`${stale}.json`, 'utf8'))).toMatchObject({ pid: child.pid, hostname: hostname(), task: 'in-child' });
    const living = await worktreeFor(repository, 'other');
    try {
      expect(existsSync(stale)).toBe(false);
      expect(repository.worktrees()).toEqual([repository.root, living.path]);
    } finally {
      living.remove();
    }
    expect(readdirSync(worktreesFolder(repository))).toEqual([]);
  });

  it('fails clearly outside a repository and in one without a commit', async () => {
    const empty = createRepository({}, { commit: false });
    await expect(worktreeFor(empty)).rejects.toThrow(/needs a commit to start from/);
    const notRepository = mkdtempSync(join(tmpdir(), 'not-a-repository-'));
    try {
      await expect(
        createTaskWorktree({ workspaceRoot: notRepository, worktreesFolder: join(notRepository, 'w'), project: 'p', task: 't', baseEnv }),
      ).rejects.toThrow(/needs a git repository, and .* is not in one: run `git init` and commit once/);
    } finally {
      rmSync(notRepository, { recursive: true, force: true });
    }
  });
});
