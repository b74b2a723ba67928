import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Pure path checks for every path the plugin builds from input (project names, slugs, task
 * ids, spec values): nothing here touches the disk. Callers that write or remove resolve the
 * path with {@link resolveInside} first, and fail when it says the path leaves its root.
 */

/** Characters a record-folder segment keeps as they are: no separators, no glob characters, no `%`. */
const PLAIN_SEGMENT_CHARACTER = /[A-Za-z0-9_@+.-]/;

/**
 * One path segment standing for `name`, safe as a folder name and as a literal in an Nx
 * output pattern, and injective: two different names never share a segment (`@org` and
 * `@org/api` stay apart). Plain names (`api`, `1.3`, `checkout-redesign`) are kept as written;
 * anything else is percent-encoded (UTF-8), a leading `.` included, so `.` and `..` cannot occur.
 */
export function safeSegment(name: string): string {
  let segment = '';
  for (const character of name) {
    if (PLAIN_SEGMENT_CHARACTER.test(character) && !(segment === '' && character === '.')) segment += character;
    else segment += [...Buffer.from(character, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return segment || '%00';
}

/**
 * Why `name` cannot name a project the plugin defines or runs tasks for, or undefined when it
 * can. Scoped npm names (`@org/api`) are fine; a name with an empty, `.` or `..` segment, a
 * backslash, a leading `/` or a control character is not: it reads as a path.
 */
export function projectNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'it is empty';
  // eslint-disable-next-line no-control-regex -- control characters are what this looks for
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'it contains a control character';
  if (name.includes('\\')) return 'it contains a backslash';
  if (name.startsWith('/')) return 'it starts with "/"';
  const segments = name.split('/');
  if (segments.some((segment) => segment === '.' || segment === '..')) return 'it contains a "." or ".." path segment';
  if (segments.some((segment) => segment === '')) return 'it contains an empty path segment ("//" or a trailing "/")';
  return undefined;
}

/** A path that would leave the folder it must stay in. */
export class PathOutsideError extends Error {
  constructor(
    readonly path: string,
    readonly root: string,
  ) {
    super(`refusing to use "${path}": it resolves outside ${root}`);
    this.name = 'PathOutsideError';
  }
}

/**
 * `path` (relative to `root`, or absolute) resolved, proven to lie strictly inside `root`
 * (a whole `..` segment leaves it; a name like `..hidden` does not). Throws
 * {@link PathOutsideError} otherwise, and for `root` itself unless `allowRoot`.
 */
export function resolveInside(root: string, path: string, options: { allowRoot?: boolean } = {}): string {
  const absoluteRoot = resolve(root);
  const absolute = resolve(absoluteRoot, path);
  const inside = relative(absoluteRoot, absolute);
  const leaves = inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside);
  if (leaves || (inside === '' && !options.allowRoot)) throw new PathOutsideError(path, absoluteRoot);
  return absolute;
}

/**
 * Why a task's path pattern (`outputs`, `writes`, `inputs`) reaches outside the workspace, or
 * undefined when it stays inside. Pure: `{projectRoot}` and `{workspaceRoot}` are resolved
 * against the workspace-relative `projectRoot`, then the path is normalized; an absolute path,
 * a `..` that climbs above the workspace root or a backslash (a separator on Windows, a file
 * name character elsewhere) is refused. A leading `!` (an exclusion) is checked the same way.
 * Symbolic links are the plugin layer's to check, since only it may read the disk.
 */
export function patternOutsideWorkspace(pattern: string, projectRoot: string): string | undefined {
  const path = pattern.startsWith('!') ? pattern.slice(1) : pattern;
  if (path.includes('\\')) return 'it contains a backslash: separate folders with "/"';
  let relative: string;
  if (path.startsWith('{workspaceRoot}')) relative = path.slice('{workspaceRoot}'.length).replace(/^\/+/, '');
  else if (path.startsWith('{projectRoot}')) relative = joinRelative(projectRoot, path.slice('{projectRoot}'.length).replace(/^\/+/, ''));
  else if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.startsWith('~'))
    return 'it is an absolute path: write it relative to the project, or start it with {workspaceRoot}/';
  else relative = joinRelative(projectRoot, path);
  let depth = 0;
  for (const segment of relative.split('/')) {
    if (segment === '..') depth--;
    else if (segment !== '' && segment !== '.') depth++;
    if (depth < 0) return 'it climbs above the workspace root with ".."';
  }
  return undefined;
}

function joinRelative(root: string, path: string): string {
  return root === '.' || root === '' ? path : `${root}/${path}`;
}
