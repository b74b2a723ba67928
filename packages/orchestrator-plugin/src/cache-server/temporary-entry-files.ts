import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An upload is written to `<hash>.<pid>.<random>.tmp` beside its entry and published only when
 * complete. Entry names never contain a `.`, so nothing else in the folder looks like this.
 */
const TEMPORARY_ENTRY_FILE = /^[^.]+\.(\d+)\.[0-9a-f]+\.tmp$/;

/** The temporary file an upload of `entryPath` by process `pid` is written to. */
export function temporaryEntryPath(entryPath: string, pid: number): string {
  return `${entryPath}.${pid}.${randomBytes(6).toString('hex')}.tmp`;
}

export interface AbandonedTemporaryFilesRequest {
  directory: string;
  /** This process's id: a file named with it was left by an earlier process that had the same id. */
  ownPid: number;
  /** Whether a process with this id runs on this machine (injectable for tests). */
  isProcessAlive?: (pid: number) => boolean;
  /** Milliseconds since the epoch (injectable for tests). */
  now?: number;
  /** No upload lasts longer than this (the server's request timeout): an older file is abandoned, whoever wrote it. */
  staleAfterMs: number;
}

/**
 * Removes the temporary files that interrupted uploads left behind (a server killed with
 * SIGKILL, a power cut) and returns their names. A file is abandoned when its writer is surely
 * gone: its pid is this process's own, or no such process runs here, or it has not been written
 * to for longer than any upload may take. So a second server sharing the folder (another
 * process here, or on another machine, whose pids mean nothing here) keeps its live uploads.
 */
export function removeAbandonedTemporaryFiles(request: AbandonedTemporaryFilesRequest): string[] {
  const isProcessAlive = request.isProcessAlive ?? processIsAlive;
  const now = request.now ?? Date.now();
  const removed: string[] = [];
  for (const name of readdirSync(request.directory)) {
    const pid = TEMPORARY_ENTRY_FILE.exec(name)?.[1];
    if (pid === undefined) continue;
    const path = join(request.directory, name);
    let modified: number;
    try {
      modified = statSync(path).mtimeMs;
    } catch {
      continue; // Its upload just finished or was cleaned up.
    }
    const writerIsGone = Number(pid) === request.ownPid || !isProcessAlive(Number(pid)) || now - modified > request.staleAfterMs;
    if (!writerIsGone) continue;
    rmSync(path, { force: true });
    removed.push(name);
  }
  return removed;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
