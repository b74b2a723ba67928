import { isAbsolute, relative, sep } from 'node:path';

/**
 * A path as progress events and the run record show it: relative to the workspace `cwd` with
 * `/` separators, or absolute (still with `/`) when it lies outside the workspace or is the
 * workspace itself. Relative input paths are taken as relative to `cwd`, as the CLIs mean them.
 */
export function workspacePath(cwd: string, path: string): string {
  const absolute = isAbsolute(path) ? path : `${cwd}${sep}${path}`;
  const inside = relative(cwd, absolute);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return absolute.split(sep).join('/');
  return inside.split(sep).join('/');
}
