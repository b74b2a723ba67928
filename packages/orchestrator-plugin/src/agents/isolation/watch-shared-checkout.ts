import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, posix, relative, sep } from 'node:path';
import { git } from './git-command';
import { diffTrees, snapshotWorkingTree } from './working-tree-snapshot';

/** A snapshot of the shared checkout taken when a task starts. */
export interface SharedCheckoutWatch {
  /**
   * The files whose content (or existence, or mode) differs now from the start, relative to
   * the workspace root (`../x` for a file elsewhere in the repository).
   */
  changedSince(): Promise<string[]>;
}

export interface WatchSharedCheckoutRequest {
  workspaceRoot: string;
  /** Absolute folders of the plugin's own state (the workspace data folder, `.agent-runs`): never counted. */
  exclude?: readonly string[];
  baseEnv?: NodeJS.ProcessEnv;
  /** Where a snapshot that could not be taken is said (the write scope is then not compared). */
  log?: (line: string) => void;
}

/** Snapshots taken while other tasks write can meet a file that vanishes between git's listing and its read (an atomic write's temporary file). */
const SNAPSHOT_TRIES = 3;
const SNAPSHOT_RETRY_DELAY_MS = 50;

/**
 * Takes the "before" snapshot of a task that runs in the shared checkout: the tree git would
 * record for every tracked and untracked, not ignored, file as it is on disk (see
 * snapshotWorkingTree). `changedSince` takes the "after" one and compares them by content, so
 * a file that was already modified before the task started counts only if the task's window
 * changed it again, and a file rewritten with the same bytes does not count. Ignored files are
 * not seen. Resolves to undefined outside a git repository, or when the "before" snapshot
 * cannot be taken even after a few tries: then nothing is compared, and the task still runs
 * (the write scope is a report; it must not fail a task that did nothing wrong).
 */
export async function watchSharedCheckout(request: WatchSharedCheckoutRequest): Promise<SharedCheckoutWatch | undefined> {
  const { baseEnv } = request;
  const workspaceRoot = realpathSync(request.workspaceRoot);
  let gitRoot: string;
  try {
    gitRoot = realpathSync((await git({ cwd: workspaceRoot, args: ['rev-parse', '--show-toplevel'], baseEnv })).trim());
  } catch {
    return undefined;
  }
  const exclude = (request.exclude ?? []).flatMap((folder) => {
    const inside = relative(gitRoot, existsSync(folder) ? realpathSync(folder) : folder);
    return inside && !inside.startsWith('..') && !isAbsolute(inside) ? [inside.split(sep).join('/')] : [];
  });
  const snapshot = () => snapshotWithRetries(() => snapshotWorkingTree({ gitRoot, exclude, baseEnv }));
  let before: string;
  try {
    before = await snapshot();
  } catch (error) {
    request.log?.(`  write scope not checked: the shared checkout could not be snapshotted (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
  const prefix = relative(gitRoot, workspaceRoot).split(sep).join('/');
  return {
    async changedSince() {
      const after = await snapshot();
      const changes = await diffTrees({ gitRoot, from: before, to: after, baseEnv });
      return changes.map((change) => (prefix ? posix.relative(prefix, change.path) : change.path));
    },
  };
}

async function snapshotWithRetries(take: () => Promise<string>): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await take();
    } catch (error) {
      if (attempt >= SNAPSHOT_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, SNAPSHOT_RETRY_DELAY_MS * attempt));
    }
  }
}
