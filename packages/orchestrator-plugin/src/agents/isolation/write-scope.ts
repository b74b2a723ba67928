import { Minimatch } from 'minimatch';

/** Which workspace files a task may change: its `writes`, resolved to workspace-relative patterns. */
export interface WriteScope {
  /** The patterns as given (workspace-relative, `!` for exclusions). */
  readonly patterns: readonly string[];
  /** Whether a workspace-relative file path is inside the scope. */
  includes(path: string): boolean;
  /** The folders the scope cannot leave (what comes before each pattern's first glob character). */
  readonly folders: readonly string[];
}

const GLOB_CHARACTERS = /[*?[\]{}()!+@]/;

/**
 * A write scope from workspace-relative patterns, read the way Nx reads `outputs`: a glob
 * matches files (dot files too), a plain path is that file or everything under that folder,
 * and `!pattern` takes files back out. No patterns: nothing is in scope.
 */
export function createWriteScope(patterns: readonly string[]): WriteScope {
  const include: Array<(path: string) => boolean> = [];
  const exclude: Array<(path: string) => boolean> = [];
  const folders = new Set<string>();
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = normalize(negated ? raw.slice(1) : raw);
    if (pattern === '') {
      (negated ? exclude : include).push(() => true);
      if (!negated) folders.add('');
      continue;
    }
    const glob = GLOB_CHARACTERS.exec(pattern);
    const matcher = glob ? globMatcher(pattern) : (path: string) => path === pattern || path.startsWith(`${pattern}/`);
    (negated ? exclude : include).push(matcher);
    if (!negated) folders.add(glob ? pattern.slice(0, Math.max(0, pattern.lastIndexOf('/', glob.index))) : pattern);
  }
  return {
    patterns,
    folders: [...folders].sort(),
    includes(path: string) {
      const file = normalize(path);
      return include.some((matches) => matches(file)) && !exclude.some((matches) => matches(file));
    },
  };
}

function globMatcher(pattern: string): (path: string) => boolean {
  const matcher = new Minimatch(pattern, { dot: true });
  // A glob that matches a folder stands for everything under it, as an Nx output glob does.
  return (path) => matcher.match(path) || ancestors(path).some((folder) => matcher.match(folder));
}

function ancestors(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(1).map((_, index) => parts.slice(0, index + 1).join('/'));
}

/** `./a//b/` -> `a/b`; backslashes are separators. */
function normalize(path: string): string {
  return path
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/{2,}/g, '/')
    .replace(/\/$/, '')
    .replace(/^\.$/, '');
}

/**
 * A task's `writes` as workspace-relative patterns: `{workspaceRoot}/x` is `x`, `{projectRoot}/x`
 * and a bare `x` are inside the project (the same reading as the graph's inputs and outputs).
 */
export function resolveWritePatterns(writes: readonly string[], projectRoot: string): string[] {
  const prefix = projectRoot === '.' || projectRoot === '' ? '' : `${projectRoot.replace(/\/$/, '')}/`;
  return writes.map((raw) => {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    const resolved = pattern.startsWith('{workspaceRoot}')
      ? pattern.replace(/^\{workspaceRoot\}\/?/, '')
      : pattern.startsWith('{projectRoot}')
        ? pattern.replace(/^\{projectRoot\}\/?/, prefix)
        : `${prefix}${pattern.replace(/^\.\//, '')}`;
    return `${negated ? '!' : ''}${resolved}`;
  });
}
