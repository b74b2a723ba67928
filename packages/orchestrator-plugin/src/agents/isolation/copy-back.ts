import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PathOutsideError, resolveInside } from '../../task-spec/path-safety';
import { git, nulSeparated } from './git-command';
import type { WorktreeChange } from './task-worktree';
import type { WriteScope } from './write-scope';

export interface CopyBackRequest {
  /** The worktree's top level: where the changed files are read. */
  worktreePath: string;
  /** The Nx workspace the files go back to. */
  workspaceRoot: string;
  changes: readonly WorktreeChange[];
  scope: WriteScope;
  baseEnv?: NodeJS.ProcessEnv;
}

/** What came back, what did not, and why. */
export interface CopyBackResult {
  /** Workspace-relative paths written or deleted in the workspace. */
  copied: string[];
  /** Changes outside `writes` (write-scope violations): not copied. Paths outside the workspace are repository-relative. */
  outOfScope: Array<{ path: string; kind: WorktreeChange['kind']; outsideWorkspace?: true }>;
  /** Changes inside `writes` that were not copied, each with the reason. */
  conflicts: Array<{ path: string; reason: string }>;
}

/**
 * Copies a task's changes from its worktree back into the workspace: only those inside its
 * write scope; everything else is reported, never written. A file someone else changed in the
 * workspace since the worktree was made (the user, another task) is a conflict and is left as
 * it is: nothing anyone wrote is overwritten. Ignored files (build outputs) had no earlier
 * version to compare and are copied as they are. Every destination is proven to lie inside the
 * workspace, also through symlinked folders, before it is written; each file is written
 * whole (a temp file renamed over it), so a reader never sees half of one.
 */
export async function copyBack(request: CopyBackRequest): Promise<CopyBackResult> {
  const result: CopyBackResult = { copied: [], outOfScope: [], conflicts: [] };
  const workspaceRoot = realpathSync(request.workspaceRoot);
  const inScope: WorktreeChange[] = [];
  for (const change of request.changes) {
    if (change.workspacePath === undefined) result.outOfScope.push({ path: change.path, kind: change.kind, outsideWorkspace: true });
    else if (!request.scope.includes(change.workspacePath)) result.outOfScope.push({ path: change.workspacePath, kind: change.kind });
    else inScope.push(change);
  }
  const current = await currentBlobs(
    workspaceRoot,
    inScope.filter((change) => !change.ignored),
    request.baseEnv,
  );
  // Deletions first: a file that became a folder (or the reverse) needs the old one gone.
  const ordered = [...inScope].sort((a, b) => Number(b.kind === 'deleted') - Number(a.kind === 'deleted') || a.path.localeCompare(b.path));
  for (const change of ordered) {
    const path = change.workspacePath!;
    const now = current.get(path);
    if (!change.ignored && now !== change.oldBlob) {
      if (now !== change.newBlob) result.conflicts.push({ path, reason: 'changed in the workspace while the task ran' });
      else result.copied.push(path);
      continue;
    }
    try {
      const destination = destinationInside(workspaceRoot, path);
      if (change.kind === 'deleted') removeFile(workspaceRoot, destination);
      else if (change.newMode === '160000') {
        result.conflicts.push({ path, reason: 'a submodule change is not copied back' });
        continue;
      } else writeFrom(join(request.worktreePath, change.path), destination, change.newMode, workspaceRoot);
      result.copied.push(path);
    } catch (error) {
      result.conflicts.push({
        path,
        reason: error instanceof PathOutsideError ? `it would be written outside the workspace (${error.message})` : (error as Error).message,
      });
    }
  }
  return result;
}

/**
 * The blob id each path has in the workspace now, computed as git would (`git hash-object`, so
 * line-ending and other clean filters apply); the zero id for a missing file, `folder` for a folder.
 */
async function currentBlobs(workspaceRoot: string, changes: readonly WorktreeChange[], baseEnv?: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const blobs = new Map<string, string>();
  const files: string[] = [];
  for (const change of changes) {
    const path = change.workspacePath!;
    const zero = '0'.repeat(change.oldBlob.length);
    let stats;
    try {
      stats = lstatSync(join(workspaceRoot, path));
    } catch {
      blobs.set(path, zero);
      continue;
    }
    if (stats.isSymbolicLink()) blobs.set(path, blobId(readlinkSync(join(workspaceRoot, path)), change.oldBlob.length));
    else if (stats.isDirectory()) blobs.set(path, 'folder');
    else files.push(path);
  }
  if (files.length) {
    const ids = nulSeparated(
      (await git({ cwd: workspaceRoot, args: ['hash-object', '--stdin-paths'], input: `${files.join('\n')}\n`, baseEnv })).replace(/\n/g, '\0'),
    );
    files.forEach((path, index) => blobs.set(path, ids[index]));
  }
  return blobs;
}

/** Git's blob id of a symlink's target text: SHA-1, or SHA-256 in a repository of that format (64-character ids). */
function blobId(content: string, idLength: number): string {
  const body = Buffer.from(content, 'utf8');
  return createHash(idLength === 64 ? 'sha256' : 'sha1')
    .update(Buffer.concat([Buffer.from(`blob ${body.length}\0`), body]))
    .digest('hex');
}

/** `path` inside the workspace, and the deepest folder of it that exists resolving inside the real workspace too. */
function destinationInside(workspaceRoot: string, path: string): string {
  const destination = resolveInside(workspaceRoot, path);
  let existing = dirname(destination);
  while (!existsSync(existing)) existing = dirname(existing);
  resolveInside(workspaceRoot, realpathSync(existing), { allowRoot: true });
  return destination;
}

function writeFrom(source: string, destination: string, mode: string, workspaceRoot: string): void {
  mkdirSync(dirname(destination), { recursive: true });
  destinationInside(workspaceRoot, destination);
  const temporary = join(dirname(destination), `.${basename(destination)}.nx-agent-${randomBytes(4).toString('hex')}`);
  try {
    if (mode === '120000') {
      const target = readlinkSync(source);
      resolveInside(workspaceRoot, resolve(dirname(destination), target), { allowRoot: true });
      symlinkSync(target, temporary);
    } else {
      copyFileSync(source, temporary);
      chmodSync(temporary, statSync(source).mode & 0o777);
    }
    if (existsSync(destination) && lstatSync(destination).isDirectory()) throw new Error('a folder of that name is in the way');
    renameSync(temporary, destination);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Deletes a file (never a folder), then the folders that this left empty, up to the workspace root. */
function removeFile(workspaceRoot: string, destination: string): void {
  let stats;
  try {
    stats = lstatSync(destination);
  } catch {
    return;
  }
  if (stats.isDirectory()) throw new Error('a folder of that name is in the way');
  unlinkSync(destination);
  for (let folder = dirname(destination); folder !== workspaceRoot && folder.startsWith(`${workspaceRoot}/`); folder = dirname(folder)) {
    if (readdirSync(folder).length) break;
    rmdirSync(folder);
  }
}
