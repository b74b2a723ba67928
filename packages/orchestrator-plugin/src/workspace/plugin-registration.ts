import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { minimatch } from 'minimatch';

/** One entry of nx.json `plugins`, as Nx accepts it. */
export type PluginEntry = string | { plugin: string; options?: unknown; include?: string[]; exclude?: string[] };

/**
 * The options of the nx.json registration of this plugin that inferred the targets of
 * `specFile`: the entry whose `plugin` resolves (from the workspace root) to this very
 * package, and whose include/exclude globs take the file. With several such entries the last
 * wins, as Nx merges later plugins' targets over earlier ones. Undefined when none matches.
 * A registration is recognised by where it resolves, not by how its name is spelt (a path to
 * the package, the package name, a symlink).
 */
export function findPluginOptions(
  workspaceRoot: string,
  plugins: readonly PluginEntry[] | undefined,
  specFile: string,
  ownPackageRoot = packageRootOf(__dirname),
): unknown {
  const own = ownPackageRoot && safeRealpath(ownPackageRoot);
  let found: unknown;
  for (const entry of plugins ?? []) {
    const registration = typeof entry === 'string' ? { plugin: entry } : entry;
    if (!own || resolvedPackageRoot(workspaceRoot, registration.plugin) !== own) continue;
    if (registration.include && !registration.include.some((glob) => minimatch(specFile, glob, { dot: true }))) continue;
    if (registration.exclude?.some((glob) => minimatch(specFile, glob, { dot: true }))) continue;
    found = registration.options ?? {};
  }
  return found;
}

/**
 * The real folder of the package a plugin specifier resolves to from the workspace root: by its
 * package.json (so a package whose entry is not built yet still counts), else by its entry,
 * else, for a path, by the folder itself (Nx runs a local plugin's TypeScript source).
 */
function resolvedPackageRoot(workspaceRoot: string, specifier: string): string | undefined {
  const attempts = [
    () => dirname(require.resolve(`${specifier}/package.json`, { paths: [workspaceRoot] })),
    () => packageRootOf(dirname(require.resolve(specifier, { paths: [workspaceRoot] }))),
    () => {
      const folder = resolve(workspaceRoot, specifier);
      return /^\.{0,2}\//.test(specifier) && existsSync(folder) ? packageRootOf(folder) : undefined;
    },
  ];
  for (const attempt of attempts) {
    try {
      const root = attempt();
      if (root) return safeRealpath(root);
    } catch {
      // Not resolvable this way: try the next.
    }
  }
  return undefined;
}

/** The nearest folder at or above `folder` with a package.json. */
function packageRootOf(folder: string): string | undefined {
  for (let current = folder; ; current = dirname(current)) {
    if (existsSync(join(current, 'package.json'))) return current;
    if (dirname(current) === current) return undefined;
  }
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
