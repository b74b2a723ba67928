import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { resolveInside, safeSegment } from '../../task-spec/path-safety';
import { AgentError } from '../agent-adapter';
import { holdExitListener } from '../process/run-process';
import { git, gitBytes, GitCommandError, nulSeparated } from './git-command';
import { copyWorktreeIncludes } from './copy-worktree-includes';
import { removeTaskWorktree, sweepStaleWorktrees, type WorktreeOwner, type WorktreeRemoval } from './remove-task-worktree';
import { diffTrees, listIgnoredFiles, snapshotWorkingTree, type TreeChange } from './working-tree-snapshot';
import type { WriteScope } from './write-scope';

export interface CreateTaskWorktreeRequest {
  /** The Nx workspace root: the git top level or a folder inside it. */
  workspaceRoot: string;
  /** Where task worktrees live: `<workspace data folder>/agent-worktrees`. */
  worktreesFolder: string;
  project: string;
  task: string;
  /** Absolute folders of the plugin's own state, never part of what the agent sees (the workspace data folder). */
  exclude?: readonly string[];
  baseEnv?: NodeJS.ProcessEnv;
  now?: () => Date;
  log?: (line: string) => void;
}

/** A change in a task's worktree, against what the workspace held when the worktree was made. */
export interface WorktreeChange extends TreeChange {
  /** Workspace-relative; undefined for a change outside the Nx workspace (elsewhere in the repository). */
  workspacePath?: string;
  /** An ignored file (a build output, say): there is no earlier version of it to compare with. */
  ignored: boolean;
}

/** A task's own git worktree: the workspace as the user had it, for one agent to change alone. */
export interface TaskWorktree {
  /** The worktree's top level. */
  readonly path: string;
  /** The workspace inside the worktree: the agent's and the checks' working directory. */
  readonly workspaceRoot: string;
  readonly baseCommit: string;
  /** The tree of the workspace when the worktree was made: HEAD plus the uncommitted changes. */
  readonly baseTree: string;
  /** What differs from {@link baseTree} now, ignored files inside `scope` included. */
  listChanges(scope: WriteScope): Promise<WorktreeChange[]>;
  /** The same changes as a binary patch (`git apply` takes it), for a failed run's record. */
  patch(scope: WriteScope): Promise<string>;
  /** Removes the worktree (idempotent); also done when the process exits. */
  remove(): WorktreeRemoval;
}

/**
 * Creates a task's worktree under `worktreesFolder`: detached at the current HEAD, then given
 * the workspace's uncommitted changes (tracked edits, deletions and untracked files), so the
 * agent sees what the user sees while the user's checkout stays untouched. Ignored
 * `node_modules` folders are linked from the workspace, so tools and `nx` run as they do there,
 * and the ignored files `.worktreeinclude` names (`.env`, as in Claude Code) are copied.
 * Worktrees of runs that died without cleaning up are removed first. The worktree is removed
 * when `remove()` is called or, at the latest, when this process exits.
 */
export async function createTaskWorktree(request: CreateTaskWorktreeRequest): Promise<TaskWorktree> {
  const { baseEnv } = request;
  const workspaceRoot = realpathSync(request.workspaceRoot);
  const gitRoot = await repositoryTopLevel(workspaceRoot, baseEnv);
  const prefix = relative(gitRoot, workspaceRoot).split(sep).join('/');
  const baseCommit = await headCommit(gitRoot, baseEnv);
  mkdirSync(request.worktreesFolder, { recursive: true });
  const worktreesFolder = realpathSync(request.worktreesFolder);
  for (const removal of sweepStaleWorktrees({ gitRoot, worktreesFolder, baseEnv })) {
    if (removal.keptBranch) request.log?.(`removed a worktree left by a stopped run; its commits are on branch ${removal.keptBranch.name}`);
  }
  const exclude = [...(request.exclude ?? []), worktreesFolder].flatMap((folder) => insideRepository(gitRoot, folder));
  const baseTree = await snapshotWorkingTree({ gitRoot, exclude, baseEnv });

  const name = `${safeSegment(request.project)}+${safeSegment(request.task)}-${randomBytes(3).toString('hex')}`;
  const path = resolveInside(worktreesFolder, name);
  const owner: WorktreeOwner = {
    pid: process.pid,
    hostname: hostname(),
    project: request.project,
    task: request.task,
    baseCommit,
    createdAt: (request.now ?? (() => new Date()))().toISOString(),
  };
  // Written before the worktree exists: a crash from here on leaves something a later run can find.
  writeFileSync(`${path}.json`, `${JSON.stringify(owner, null, 2)}\n`);
  let removal: WorktreeRemoval | undefined;
  const remove = () => {
    removal ??= removeTaskWorktree({ gitRoot, worktreesFolder, path, owner, baseEnv, now: request.now });
    releaseExitHook();
    return removal;
  };
  const releaseExitHook = holdExitListener(() => remove());
  try {
    await git({ cwd: gitRoot, args: ['worktree', 'add', '--detach', '--no-checkout', path, baseCommit], baseEnv });
    // Files of the snapshot into the work tree, then the index back to HEAD: the user's
    // uncommitted changes show as uncommitted changes in the worktree too.
    await git({ cwd: path, args: ['read-tree', '--reset', '-u', baseTree], baseEnv });
    await git({ cwd: path, args: ['reset', '--quiet'], baseEnv });
  } catch (error) {
    remove();
    throw new AgentError(`isolation: worktree: could not create the task's worktree: ${(error as Error).message}`, { isRetryable: false, cause: error });
  }
  const ignoredEntries = nulSeparated(
    await git({ cwd: gitRoot, args: ['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--directory'], baseEnv }),
  );
  const linked = linkNodeModules(gitRoot, path, ignoredEntries, exclude);
  const included = new Set(copyWorktreeIncludes({ gitRoot, worktree: path, ignoredEntries, exclude }));
  // Never compared or copied: the links made above, and Nx's own state made by checks run in the worktree.
  const ownState = [...linked, ...['.nx/workspace-data', '.nx/cache'].map((folder) => (prefix ? `${prefix}/${folder}` : folder))];

  const toWorkspacePath = (repositoryPath: string) =>
    prefix === '' ? repositoryPath : repositoryPath.startsWith(`${prefix}/`) ? repositoryPath.slice(prefix.length + 1) : undefined;
  // Ignored files exist in the worktree only when the agent or a check made them: those inside the scope count.
  const ignoredInScope = async (scope: WriteScope) =>
    (await listIgnoredFiles({ gitRoot: path, folders: [''], baseEnv })).filter((file) => {
      const workspacePath = toWorkspacePath(file);
      if (isUnder(file, ownState) || workspacePath === undefined || !scope.includes(workspacePath)) return false;
      return !included.has(file) || !unchangedInclude(gitRoot, path, file);
    });
  const currentTree = (ignored: readonly string[]) => snapshotWorkingTree({ gitRoot: path, exclude: ownState, includeIgnored: ignored, baseEnv });

  return {
    path,
    workspaceRoot: prefix ? join(path, prefix) : path,
    baseCommit,
    baseTree,
    async listChanges(scope) {
      const ignored = await ignoredInScope(scope);
      const changes = await diffTrees({ gitRoot: path, from: baseTree, to: await currentTree(ignored), baseEnv });
      const ignoredSet = new Set(ignored);
      return changes.map((change) => ({ ...change, workspacePath: toWorkspacePath(change.path), ignored: ignoredSet.has(change.path) }));
    },
    async patch(scope) {
      const finalTree = await currentTree(await ignoredInScope(scope));
      return (await gitBytes({ cwd: path, args: ['diff', '--binary', '--no-color', '--no-ext-diff', baseTree, finalTree], baseEnv })).toString('utf8');
    },
    remove,
  };
}

async function repositoryTopLevel(workspaceRoot: string, baseEnv?: NodeJS.ProcessEnv): Promise<string> {
  try {
    return realpathSync((await git({ cwd: workspaceRoot, args: ['rev-parse', '--show-toplevel'], baseEnv })).trim());
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    throw new AgentError(`isolation: worktree needs a git repository, and ${workspaceRoot} is not in one: run \`git init\` and commit once`, {
      isRetryable: false,
    });
  }
}

async function headCommit(gitRoot: string, baseEnv?: NodeJS.ProcessEnv): Promise<string> {
  try {
    return (await git({ cwd: gitRoot, args: ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], baseEnv })).trim();
  } catch {
    throw new AgentError(`isolation: worktree needs a commit to start from, and ${gitRoot} has none yet: commit once`, { isRetryable: false });
  }
}

/** `folder` as a repository-relative path when it lies inside the repository, else nothing. */
function insideRepository(gitRoot: string, folder: string): string[] {
  const real = existsSync(folder) ? realpathSync(folder) : folder;
  const inside = relative(gitRoot, real);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? [inside.split(sep).join('/')] : [];
}

function isUnder(path: string, folders: readonly string[]): boolean {
  return folders.some((folder) => path === folder || path.startsWith(`${folder}/`));
}

/**
 * Links each ignored `node_modules` folder of the main checkout into the worktree (where its
 * parent folder exists there). Returns the repository-relative paths linked.
 */
function linkNodeModules(gitRoot: string, worktree: string, ignoredEntries: readonly string[], exclude: readonly string[]): string[] {
  const linked: string[] = [];
  for (const entry of ignoredEntries) {
    const folder = entry.replace(/\/$/, '');
    if (!/(^|\/)node_modules$/.test(folder) || isUnder(folder, exclude) || /(^|\/)node_modules\/.*node_modules$/.test(folder)) continue;
    const link = join(worktree, folder);
    if (!existsSync(dirname(link)) || existsSync(link)) continue;
    symlinkSync(join(gitRoot, folder), link, 'junction');
    linked.push(folder);
  }
  return linked;
}

/** Whether a file the worktree got from `.worktreeinclude` is still as it was copied. */
function unchangedInclude(gitRoot: string, worktree: string, path: string): boolean {
  try {
    return readFileSync(join(gitRoot, path)).equals(readFileSync(join(worktree, path)));
  } catch {
    return false;
  }
}
