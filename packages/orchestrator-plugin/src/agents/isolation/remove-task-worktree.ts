import { existsSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { resolveInside } from '../../task-spec/path-safety';
import { GitCommandError, gitSync } from './git-command';
import { processIsAlive } from './process-is-alive';

/** What the plugin writes beside each worktree (`<worktree>.json`), so a later run can clean up after a crash. */
export interface WorktreeOwner {
  pid: number;
  hostname: string;
  project: string;
  task: string;
  /** The commit the worktree started from: commits beyond it are the agent's. */
  baseCommit: string;
  createdAt: string;
}

export interface RemoveTaskWorktreeRequest {
  /** Top level of the main checkout. */
  gitRoot: string;
  /** The folder all task worktrees live in: nothing outside it is ever removed. */
  worktreesFolder: string;
  /** The worktree's top level. */
  path: string;
  owner: Pick<WorktreeOwner, 'project' | 'task' | 'baseCommit'>;
  baseEnv?: NodeJS.ProcessEnv;
  now?: () => Date;
}

/** How a removal went. */
export interface WorktreeRemoval {
  removed: boolean;
  /** Set when the agent committed work that no branch or tag holds: kept on this new branch. */
  keptBranch?: { name: string; commit: string; commits: number };
  /** Why the worktree could not be removed, when it could not. */
  error?: string;
}

/**
 * Removes a task's worktree, synchronously (it also runs in a process `exit` handler, where
 * nothing asynchronous runs). Commits the agent made that exist nowhere else are never
 * thrown away: they get a branch `nx-agent/<project>/<task>-<time>` first, and the result says
 * so. Uncommitted changes go with the worktree (the caller copies back what it keeps first).
 * The folder is proven to lie inside `worktreesFolder` before anything is deleted.
 */
export function removeTaskWorktree(request: RemoveTaskWorktreeRequest): WorktreeRemoval {
  const { gitRoot, baseEnv } = request;
  const path = resolveInside(request.worktreesFolder, request.path);
  const run = (args: string[]) => gitSync({ cwd: gitRoot, args, baseEnv });
  let keptBranch: WorktreeRemoval['keptBranch'];
  try {
    const head = worktreeHead(gitRoot, path, baseEnv);
    if (head && head !== request.owner.baseCommit && run(['for-each-ref', '--count=1', '--contains', head, '--format=%(refname)']).trim() === '') {
      const name = uniqueBranchName(run, branchName(request.owner, (request.now ?? (() => new Date()))()));
      run(['branch', name, head]);
      const commits = Number(run(['rev-list', '--count', head, `^${request.owner.baseCommit}`]).trim());
      keptBranch = { name, commit: head, commits };
    }
  } catch (error) {
    // Unsure whether the agent's commits are held elsewhere: keep the worktree rather than lose them.
    return { removed: false, error: `kept ${path}: could not check it for unsaved commits (${(error as Error).message})` };
  }
  try {
    run(['worktree', 'remove', '--force', '--force', path]);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    // Not (or no longer) a registered worktree, or git could not delete every file: finish by hand.
    rmSync(path, { recursive: true, force: true });
    try {
      run(['worktree', 'prune']);
    } catch {
      // Pruning is tidiness; the folder is gone.
    }
  }
  // The owner file goes only with the worktree: while it stays, a later run retries the removal.
  if (existsSync(path)) return { removed: false, keptBranch, error: `could not delete ${path}` };
  rmSync(`${path}.json`, { force: true });
  return { removed: true, keptBranch };
}

/** The commit the worktree's HEAD is at, from git's own list (it works even when the folder is half gone). */
function worktreeHead(gitRoot: string, path: string, baseEnv?: NodeJS.ProcessEnv): string | undefined {
  const real = existsSync(path) ? realpathSync(path) : path;
  for (const block of gitSync({ cwd: gitRoot, args: ['worktree', 'list', '--porcelain'], baseEnv }).split(/\n\n/)) {
    const lines = block.split('\n');
    const listed = lines.find((line) => line.startsWith('worktree '))?.slice('worktree '.length);
    if (listed !== path && listed !== real) continue;
    return lines.find((line) => line.startsWith('HEAD '))?.slice('HEAD '.length);
  }
  return undefined;
}

/** `nx-agent/<project>/<task>-20250101-120000`, in the characters a branch name may hold. */
function branchName(owner: Pick<WorktreeOwner, 'project' | 'task'>, now: Date): string {
  const part = (text: string) =>
    text
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[.-]+|[.-]+$/g, '')
      .replace(/\.lock$/, '-lock') || 'task';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `nx-agent/${part(owner.project)}/${part(owner.task)}-${stamp}`;
}

function uniqueBranchName(run: (args: string[]) => string, name: string): string {
  for (let suffix = 1; ; suffix += 1) {
    const candidate = suffix === 1 ? name : `${name}-${suffix}`;
    try {
      run(['show-ref', '--verify', '--quiet', `refs/heads/${candidate}`]);
    } catch {
      return candidate;
    }
  }
}

/**
 * Removes the worktrees of runs that died without cleaning up (their process is gone), with the
 * same care as {@link removeTaskWorktree}. A worktree whose owner runs on another machine, or
 * still runs here, is left alone. Returns what it did, for the log.
 */
export function sweepStaleWorktrees(request: {
  gitRoot: string;
  worktreesFolder: string;
  baseEnv?: NodeJS.ProcessEnv;
  isAlive?: (pid: number) => boolean;
}): WorktreeRemoval[] {
  if (!existsSync(request.worktreesFolder)) return [];
  const isAlive = request.isAlive ?? processIsAlive;
  const removals: WorktreeRemoval[] = [];
  for (const entry of readdirSync(request.worktreesFolder)) {
    if (!entry.endsWith('.json')) continue;
    const ownerFile = join(request.worktreesFolder, entry);
    let owner: WorktreeOwner;
    try {
      owner = JSON.parse(readFileSync(ownerFile, 'utf8')) as WorktreeOwner;
    } catch {
      continue;
    }
    if (owner.hostname !== hostname() || isAlive(owner.pid)) continue;
    removals.push(removeTaskWorktree({ ...request, path: ownerFile.slice(0, -'.json'.length), owner }));
  }
  return removals;
}
