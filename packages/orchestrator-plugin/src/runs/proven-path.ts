import { existsSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { resolveInside } from '../task-spec/path-safety';

/**
 * The absolute path of `relativePath` in the workspace, proven to stay inside it also through
 * any symlink on the way, the file itself included (an atomic write follows a symlinked file):
 * the deepest part of the path that exists must resolve inside the real workspace. Throws
 * otherwise, before anything is written or removed.
 */
export function provenPathInside(workspaceRoot: string, relativePath: string): string {
  const path = resolveInside(workspaceRoot, relativePath);
  let existing = path;
  while (!existsSync(existing)) existing = dirname(existing);
  resolveInside(realpathSync(workspaceRoot), realpathSync(existing), { allowRoot: true });
  return path;
}
