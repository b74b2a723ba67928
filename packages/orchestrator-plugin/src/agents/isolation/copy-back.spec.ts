import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { GIT_TEST_IDENTITY, useTempGitRepositories, type TempGitRepository } from '../../testing/temp-git-repository';
import { copyBack } from './copy-back';
import { createTaskWorktree, type TaskWorktree } from './task-worktree';
import { createWriteScope, type WriteScope } from './write-scope';

const createRepository = useTempGitRepositories();
const baseEnv = { ...process.env, ...GIT_TEST_IDENTITY };

async function worktreeFor(repository: TempGitRepository, task: string): Promise<TaskWorktree> {
  return createTaskWorktree({
    workspaceRoot: repository.root,
    worktreesFolder: join(repository.root, '.nx/workspace-data/agent-worktrees'),
    project: 'api',
    task,
    baseEnv,
  });
}

function write(root: string, path: string, content: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

async function land(repository: TempGitRepository, worktree: TaskWorktree, scope: WriteScope) {
  return copyBack({ worktreePath: worktree.path, workspaceRoot: repository.root, changes: await worktree.listChanges(scope), scope, baseEnv });
}

describe('copyBack', () => {
  it('copies only the changes inside the scope, and reports every other one as out of scope', async () => {
    const repository = createRepository({ 'apps/api/src/a.ts': 'a', 'apps/api/src/old.ts': 'old', 'apps/api/run.sh': 'echo', 'README.md': 'readme' });
    const worktree = await worktreeFor(repository, 'scoped');
    try {
      write(worktree.path, 'apps/api/src/a.ts', 'a, changed');
      write(worktree.path, 'apps/api/src/deep/new.ts', 'new');
      unlinkSync(join(worktree.path, 'apps/api/src/old.ts'));
      symlinkSync('a.ts', join(worktree.path, 'apps/api/src/link.ts'));
      write(worktree.path, 'apps/api/run.sh', '#!/bin/sh\necho run');
      chmodSync(join(worktree.path, 'apps/api/run.sh'), 0o755);
      write(worktree.path, 'README.md', 'readme, rewritten out of scope');
      write(worktree.path, 'apps/web/stray.ts', 'out of scope too');

      const result = await land(repository, worktree, createWriteScope(['apps/api/src/**', 'apps/api/run.sh']));
      expect(result.copied.sort()).toEqual(['apps/api/run.sh', 'apps/api/src/a.ts', 'apps/api/src/deep/new.ts', 'apps/api/src/link.ts', 'apps/api/src/old.ts']);
      expect(result.outOfScope).toEqual([
        { path: 'README.md', kind: 'modified' },
        { path: 'apps/web/stray.ts', kind: 'added' },
      ]);
      expect(result.conflicts).toEqual([]);
      expect(repository.read('apps/api/src/a.ts')).toBe('a, changed');
      expect(repository.read('apps/api/src/deep/new.ts')).toBe('new');
      expect(repository.exists('apps/api/src/old.ts')).toBe(false);
      expect(readlinkSync(join(repository.root, 'apps/api/src/link.ts'))).toBe('a.ts');
      expect(statSync(join(repository.root, 'apps/api/run.sh')).mode & 0o111).not.toBe(0);
      expect(repository.read('README.md')).toBe('readme');
      expect(repository.exists('apps/web/stray.ts')).toBe(false);
    } finally {
      worktree.remove();
    }
  });

  it('never overwrites what someone changed in the workspace meanwhile: a conflict, reported', async () => {
    const repository = createRepository({ 'src/shared.ts': 'v1', 'src/same.ts': 'v1', 'src/gone.ts': 'v1' });
    const worktree = await worktreeFor(repository, 'conflicting');
    try {
      write(worktree.path, 'src/shared.ts', 'the agent version');
      write(worktree.path, 'src/same.ts', 'v2');
      unlinkSync(join(worktree.path, 'src/gone.ts'));
      // Meanwhile, in the workspace:
      repository.write('src/shared.ts', 'the user version');
      repository.write('src/same.ts', 'v2');
      repository.write('src/gone.ts', 'the user kept editing it');
      const result = await land(repository, worktree, createWriteScope(['src/**']));
      expect(result.conflicts.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
        { path: 'src/gone.ts', reason: 'changed in the workspace while the task ran' },
        { path: 'src/shared.ts', reason: 'changed in the workspace while the task ran' },
      ]);
      expect(result.copied).toEqual(['src/same.ts']);
      expect(repository.read('src/shared.ts')).toBe('the user version');
      expect(repository.read('src/gone.ts')).toBe('the user kept editing it');
    } finally {
      worktree.remove();
    }
  });

  it('copies an ignored build output inside the scope over an older one', async () => {
    const repository = createRepository({ 'src/a.ts': 'a' }, { gitignore: 'node_modules\n.nx\ndist\n' });
    repository.write('dist/out.js', 'stale build');
    const worktree = await worktreeFor(repository, 'builds');
    try {
      write(worktree.path, 'dist/out.js', 'fresh build');
      const result = await land(repository, worktree, createWriteScope(['dist/**']));
      expect(result).toEqual({ copied: ['dist/out.js'], outOfScope: [], conflicts: [] });
      expect(repository.read('dist/out.js')).toBe('fresh build');
    } finally {
      worktree.remove();
    }
  });

  it('refuses to write through a folder the workspace links elsewhere, and a link pointing out of it', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'elsewhere-'));
    const repository = createRepository({ 'src/a.ts': 'a' });
    const worktree = await worktreeFor(repository, 'escapes');
    try {
      write(worktree.path, 'out/file.txt', 'would land elsewhere');
      symlinkSync(elsewhere, join(worktree.path, 'src/escape'));
      symlinkSync(elsewhere, join(repository.root, 'out'));
      const result = await land(repository, worktree, createWriteScope(['out/**', 'src/**']));
      expect(result.copied).toEqual([]);
      expect(result.conflicts.map((conflict) => conflict.path).sort()).toEqual(['out/file.txt', 'src/escape']);
      expect(result.conflicts.every((conflict) => /outside/.test(conflict.reason))).toBe(true);
      expect(existsSync(join(elsewhere, 'file.txt'))).toBe(false);
      expect(() => lstatSync(join(repository.root, 'src/escape'))).toThrow();
    } finally {
      worktree.remove();
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('lands the work of two tasks that ran side by side on disjoint files', async () => {
    const repository = createRepository({ 'apps/api/a.ts': 'a', 'apps/web/b.ts': 'b' });
    const [api, web] = await Promise.all([worktreeFor(repository, 'api-task'), worktreeFor(repository, 'web-task')]);
    try {
      write(api.path, 'apps/api/a.ts', 'api work');
      write(web.path, 'apps/web/b.ts', 'web work');
      write(web.path, 'apps/web/new.ts', 'more web work');
      const [apiResult, webResult] = await Promise.all([
        land(repository, api, createWriteScope(['apps/api/**'])),
        land(repository, web, createWriteScope(['apps/web/**'])),
      ]);
      expect(apiResult.copied).toEqual(['apps/api/a.ts']);
      expect(webResult.copied).toEqual(['apps/web/b.ts', 'apps/web/new.ts']);
      expect(repository.read('apps/api/a.ts')).toBe('api work');
      expect(readFileSync(join(repository.root, 'apps/web/new.ts'), 'utf8')).toBe('more web work');
    } finally {
      api.remove();
      web.remove();
    }
    expect(repository.worktrees()).toEqual([repository.root]);
  });
});
