import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real git repository in a temp folder, for tests of what the plugin does with git. */
export interface TempGitRepository {
  /** The repository's top level (real path). */
  root: string;
  write(path: string, content: string): void;
  read(path: string): string;
  exists(path: string): boolean;
  remove(path: string): void;
  /** Runs git in `cwd` (default the root) and returns its stdout; throws with stderr on failure. */
  git(args: string[], cwd?: string): string;
  /** `git worktree list --porcelain` reduced to the listed paths. */
  worktrees(): string[];
}

export const GIT_TEST_IDENTITY = {
  GIT_AUTHOR_NAME: 'test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

/** Makes temp repositories for one spec file and registers an `afterAll` that removes them all. */
export function useTempGitRepositories(): (files: Record<string, string>, options?: { commit?: boolean; gitignore?: string }) => TempGitRepository {
  const created: string[] = [];
  afterAll(() => {
    for (const root of created.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  return (files, options = {}) => {
    const repository = createTempGitRepository(files, options);
    created.push(repository.root);
    return repository;
  };
}

/** A repository with `files` (and a .gitignore) committed once, unless `commit: false`. The caller removes it. */
export function createTempGitRepository(files: Record<string, string>, options: { commit?: boolean; gitignore?: string } = {}): TempGitRepository {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'nx-agent-git-')));
  const git = (args: string[], cwd = root) => {
    const result = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...GIT_TEST_IDENTITY } });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  git(['init', '-q', '-b', 'main']);
  write('.gitignore', options.gitignore ?? 'node_modules\n.nx\n.agent-runs\n');
  for (const [path, content] of Object.entries(files)) write(path, content);
  if (options.commit !== false) {
    git(['add', '-A']);
    git(['commit', '-qm', 'initial']);
  }
  return {
    root,
    write,
    read: (path) => readFileSync(join(root, path), 'utf8'),
    exists: (path) => existsSync(join(root, path)) || isSymlink(join(root, path)),
    remove: (path) => rmSync(join(root, path), { recursive: true, force: true }),
    git,
    worktrees: () =>
      git(['worktree', 'list', '--porcelain'])
        .split('\n')
        .filter((line) => line.startsWith('worktree '))
        .map((line) => line.slice('worktree '.length)),
  };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
