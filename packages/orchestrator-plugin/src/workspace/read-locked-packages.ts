import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lock', 'bun.lockb'];

/**
 * The packages the root package.json declares, when a lockfile pins them. Only those are
 * Nx external nodes, and only those may be named in an `externalDependencies` input: a name
 * Nx does not know fails the run. Without a lockfile, none.
 */
export function readLockedPackages(workspaceRoot: string): Set<string> {
  if (!LOCKFILES.some((file) => existsSync(join(workspaceRoot, file)))) return new Set();
  try {
    const manifest = JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    return new Set(['dependencies', 'devDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {})));
  } catch {
    return new Set();
  }
}
