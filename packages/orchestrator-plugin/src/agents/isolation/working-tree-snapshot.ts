import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { git, GitCommandError, nulSeparated } from './git-command';

export interface SnapshotRequest {
  /** The top level of a work tree (the main checkout or a task's worktree). */
  gitRoot: string;
  /** Repository-relative paths left out (the plugin's own folders, linked node_modules). */
  exclude?: readonly string[];
  /** Ignored files to include all the same (repository-relative): ignored outputs inside a task's `writes`. */
  includeIgnored?: readonly string[];
  baseEnv?: NodeJS.ProcessEnv;
}

/**
 * The tree object of a work tree as it is on disk now: tracked files with their edits,
 * deletions, and untracked files that are not ignored, which is what `git status` shows. It
 * is built in a private index (a copy of the real one, so unchanged files are not re-read),
 * like `git stash` does: the user's index, HEAD and files are never touched. Blobs of changed
 * files are written to the object store, unreferenced, for git's gc to drop in time.
 */
export async function snapshotWorkingTree(request: SnapshotRequest): Promise<string> {
  const { gitRoot } = request;
  const folder = mkdtempSync(join(tmpdir(), 'nx-agent-index-'));
  const index = join(folder, 'index');
  try {
    const realIndex = resolve(gitRoot, (await git({ cwd: gitRoot, args: ['rev-parse', '--git-path', 'index'], baseEnv: request.baseEnv })).trim());
    if (existsSync(realIndex)) copyFileSync(realIndex, index);
    const env = { GIT_INDEX_FILE: index };
    const excluded = (await notIgnored(gitRoot, request.exclude ?? [], request.baseEnv)).map((path) => `:(top,exclude,literal)${path}`);
    await git({ cwd: gitRoot, args: ['add', '--all', '--', ':(top)', ...excluded], env, baseEnv: request.baseEnv });
    if (request.includeIgnored?.length) {
      await git({
        cwd: gitRoot,
        args: ['add', '--force', '--pathspec-from-file=-', '--pathspec-file-nul'],
        input: request.includeIgnored.join('\0'),
        env: { ...env, GIT_LITERAL_PATHSPECS: '1' },
        baseEnv: request.baseEnv,
      });
    }
    return (await git({ cwd: gitRoot, args: ['write-tree'], env, baseEnv: request.baseEnv })).trim();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * The paths git does not ignore anyway. Only those need an exclusion: `git add` refuses a
 * pathspec, even an excluding one, that names an ignored path.
 */
async function notIgnored(gitRoot: string, paths: readonly string[], baseEnv?: NodeJS.ProcessEnv): Promise<string[]> {
  if (!paths.length) return [];
  let ignored: Set<string>;
  try {
    ignored = new Set(nulSeparated(await git({ cwd: gitRoot, args: ['check-ignore', '-z', '--no-index', '--stdin'], input: paths.join('\0'), baseEnv })));
  } catch (error) {
    // Exit 1: none of them is ignored.
    if (error instanceof GitCommandError && error.exitCode === 1) return [...paths];
    throw error;
  }
  return paths.filter((path) => !ignored.has(path));
}

/** One path that differs between two snapshots. */
export interface TreeChange {
  /** Repository-relative, `/`-separated. */
  path: string;
  kind: 'added' | 'modified' | 'deleted';
  /** Git modes: 100644 file, 100755 executable, 120000 symlink, 160000 submodule; 000000 when absent. */
  oldMode: string;
  newMode: string;
  /** Blob ids; all zeros when absent. */
  oldBlob: string;
  newBlob: string;
}

/** Every file that differs between two trees, renames read as a deletion and an addition. */
export async function diffTrees(request: { gitRoot: string; from: string; to: string; baseEnv?: NodeJS.ProcessEnv }): Promise<TreeChange[]> {
  if (request.from === request.to) return [];
  const output = await git({
    cwd: request.gitRoot,
    args: ['diff-tree', '-r', '-z', '--no-renames', '--raw', request.from, request.to],
    baseEnv: request.baseEnv,
  });
  const fields = nulSeparated(output);
  const changes: TreeChange[] = [];
  for (let index = 0; index + 1 < fields.length; index += 2) {
    const [oldMode, newMode, oldBlob, newBlob, status] = fields[index].replace(/^:/, '').split(' ');
    const path = fields[index + 1];
    const kind = status === 'A' ? 'added' : status === 'D' ? 'deleted' : 'modified';
    changes.push({ path, kind, oldMode, newMode, oldBlob, newBlob });
  }
  return changes;
}

/** Ignored files (not folders) under `folders` (repository-relative; `''` is the whole tree): candidates for {@link SnapshotRequest.includeIgnored}. */
export async function listIgnoredFiles(request: { gitRoot: string; folders: readonly string[]; baseEnv?: NodeJS.ProcessEnv }): Promise<string[]> {
  if (!request.folders.length) return [];
  const pathspecs = request.folders.map((folder) => (folder === '' ? ':(top)' : `:(top,literal)${folder}`));
  const output = await git({
    cwd: request.gitRoot,
    args: ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--', ...pathspecs],
    baseEnv: request.baseEnv,
  });
  return nulSeparated(output);
}
