import { Minimatch } from 'minimatch';

/** A spec pattern made workspace-relative for one project (`{projectRoot}` and `{workspaceRoot}` resolved). */
export function resolvePattern(pattern: string, projectRoot: string): string {
  const prefix = projectRoot === '.' || projectRoot === '' ? '' : `${projectRoot}/`;
  if (pattern.startsWith('{workspaceRoot}')) return pattern.replace(/^\{workspaceRoot\}\/?/, '');
  if (pattern.startsWith('{projectRoot}')) return pattern.replace(/^\{projectRoot\}\/?/, prefix);
  return `${prefix}${pattern.replace(/^\.\//, '')}`;
}

const GLOB_CHARACTERS = /[*?[\]{}]/;

/**
 * Which tasks declare a path among their outputs. Output patterns are filed under their
 * static folder (the part before the first glob character), so a look-up walks only the
 * path's ancestor folders: linear in the number of tasks, not quadratic.
 */
export class OutputIndex<Key> {
  private readonly byFolder = new Map<string, Array<{ key: Key; pattern: string; matcher?: Minimatch }>>();

  /** Files one task's workspace-relative output patterns. */
  add(key: Key, patterns: readonly string[]): void {
    for (const pattern of patterns) {
      if (pattern.startsWith('!')) continue;
      const glob = GLOB_CHARACTERS.exec(pattern);
      const folder = glob ? pattern.slice(0, pattern.lastIndexOf('/', glob.index) + 1).replace(/\/$/, '') : pattern.replace(/\/$/, '');
      const entries = this.byFolder.get(folder) ?? [];
      entries.push({ key, pattern, ...(glob ? { matcher: new Minimatch(pattern, { dot: true }) } : {}) });
      this.byFolder.set(folder, entries);
    }
  }

  /**
   * The tasks whose outputs contain `path`: a literal output equal to the path or to one of
   * its folders, or a glob output that matches it. Globs as inputs are never looked up: an
   * input only counts as produced upstream when that is certain.
   */
  producers(path: string): Key[] {
    if (path.startsWith('!') || GLOB_CHARACTERS.test(path)) return [];
    const found = new Set<Key>();
    for (let folder = path; ; folder = folder.slice(0, Math.max(folder.lastIndexOf('/'), 0))) {
      for (const entry of this.byFolder.get(folder) ?? []) {
        if (!entry.matcher || entry.matcher.match(path)) found.add(entry.key);
      }
      if (folder === '') break;
    }
    return [...found];
  }
}

/** The folder a pattern cannot leave: everything before its first glob character. */
function staticPrefix(pattern: string): string {
  const glob = GLOB_CHARACTERS.exec(pattern);
  return glob ? pattern.slice(0, pattern.lastIndexOf('/', glob.index) + 1) : pattern;
}

/** Whether two workspace-relative patterns can match a common file (conservatively: yes when unsure). */
export function patternsOverlap(first: string, second: string): boolean {
  const a = staticPrefix(first);
  const b = staticPrefix(second);
  const within = (inner: string, outer: string) => inner === outer || outer === '' || inner.startsWith(outer.endsWith('/') ? outer : `${outer}/`);
  return within(a, b) || within(b, a);
}
