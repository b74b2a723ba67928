import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GIT_TEST_IDENTITY, useTempGitRepositories } from '../../testing/temp-git-repository';
import { watchSharedCheckout } from './watch-shared-checkout';

const createRepository = useTempGitRepositories();
const baseEnv = { ...process.env, ...GIT_TEST_IDENTITY };

describe('watchSharedCheckout', () => {
  it('sees exactly the files whose content changed during the window, also ones already dirty before', async () => {
    const repository = createRepository(
      { 'a.ts': 'a', 'b.ts': 'b', 'dirty.ts': 'v1', 'same.ts': 's', 'gone.ts': 'g', 'mode.sh': 'x' },
      { gitignore: 'dist\n.agent-runs\n' },
    );
    repository.write('dirty.ts', 'v2, before the task');
    repository.write('untracked-before.ts', 'u');
    const watch = (await watchSharedCheckout({ workspaceRoot: repository.root, exclude: [join(repository.root, '.nx')], baseEnv }))!;
    repository.write('a.ts', 'a, by the task');
    repository.write('dirty.ts', 'v3, by the task');
    repository.write('same.ts', 's');
    repository.remove('gone.ts');
    repository.write('new/file.ts', 'new');
    repository.write('dist/ignored.js', 'ignored');
    repository.write('.nx/workspace-data/state.json', '{}');
    repository.git(['update-index', '--chmod=+x', 'mode.sh']);
    require('node:fs').chmodSync(join(repository.root, 'mode.sh'), 0o755);
    expect((await watch.changedSince()).sort()).toEqual(['a.ts', 'dirty.ts', 'gone.ts', 'mode.sh', 'new/file.ts']);
    // The user's index is untouched by the snapshots.
    expect(repository.git(['diff', '--cached', '--name-only']).trim()).toBe('mode.sh');
  });

  it('sees a commit made during the window as the files it changed, and is relative to a workspace in a folder', async () => {
    const repository = createRepository({ 'web/src/a.ts': 'a', 'other/b.ts': 'b' });
    const watch = (await watchSharedCheckout({ workspaceRoot: join(repository.root, 'web'), baseEnv }))!;
    repository.write('web/src/a.ts', 'committed by the task');
    repository.write('other/b.ts', 'outside the workspace');
    repository.git(['commit', '-qam', 'task commit']);
    expect((await watch.changedSince()).sort()).toEqual(['../other/b.ts', 'src/a.ts']);
  });

  it('lets the task run when the shared checkout cannot be snapshotted (tried again, then said once): the write scope is a report, never a failure', async () => {
    const repository = createRepository({ 'a.ts': 'a' });
    // An embedded repository with no commit: `git add --all` fails on it every time.
    const embedded = join(repository.root, 'vendored');
    require('node:fs').mkdirSync(embedded);
    require('node:child_process').execFileSync('git', ['init', '-q'], { cwd: embedded });
    const lines: string[] = [];
    const started = Date.now();
    expect(await watchSharedCheckout({ workspaceRoot: repository.root, baseEnv, log: (line) => lines.push(line) })).toBeUndefined();
    expect(lines).toEqual([expect.stringMatching(/^ {2}write scope not checked: the shared checkout could not be snapshotted \(.*vendored/)]);
    // Three tries, with a pause between them.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is undefined outside a git repository', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'no-git-'));
    try {
      expect(await watchSharedCheckout({ workspaceRoot: folder, baseEnv })).toBeUndefined();
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
