import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';

/** Links followed at most while resolving one path: more is a loop. */
const MAX_LINKS = 40;

/**
 * Whether `absolute` (already proven inside `root` by name) really lies inside it on disk: a
 * symbolic link inside the workspace may point elsewhere, also a dangling one (writing through
 * it creates its target), so the path is resolved as far as it exists, links followed, and
 * must stay inside the real root.
 */
export function isReallyInside(root: string, absolute: string): boolean {
  const realRoot = realPath(resolve(root), 0);
  const real = realPath(resolve(absolute), 0);
  return real === realRoot || real.startsWith(realRoot + sep);
}

/** Where `path` leads on disk: its real path where it exists, else its parent's real path and its name; dangling links followed. */
function realPath(path: string, links: number): string {
  try {
    return realpathSync(path);
  } catch {
    // Missing, or a link that leads nowhere (yet).
  }
  if (links > MAX_LINKS || dirname(path) === path) return path;
  let isLink: boolean;
  try {
    isLink = lstatSync(path).isSymbolicLink();
  } catch {
    return join(realPath(dirname(path), links), basename(path));
  }
  return isLink ? realPath(resolve(dirname(path), readlinkSync(path)), links + 1) : path;
}
