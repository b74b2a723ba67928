import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../../..');
export const PLUGIN_ROOT = resolve(__dirname, '../..');

/**
 * Packs the built plugin with `npm pack` and unpacks it as a real folder (not a symlink:
 * Nx runs a symlinked workspace plugin from its TypeScript source) in a node_modules
 * folder whose other entries link to the repo's installed packages (nx, @nx/devkit, zod,
 * yaml, ...). Returns that node_modules folder; test workspaces link to it.
 */
export function installPackedPlugin(): string {
  if (!existsSync(join(PLUGIN_ROOT, 'dist', 'index.js'))) {
    throw new Error('packages/orchestrator-plugin/dist is missing: run `npx nx run nx-agent-orchestrator:build` first (the e2e target depends on it)');
  }
  const root = mkdtempSync(join(tmpdir(), 'nx-agent-e2e-modules-'));
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, 'nx-agent-orchestrator'), { recursive: true });
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: PLUGIN_ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync('tar', ['-xzf', join(root, tarball), '-C', join(modules, 'nx-agent-orchestrator'), '--strip-components=1']);
  const repoModules = join(REPO_ROOT, 'node_modules');
  for (const entry of readdirSync(repoModules)) {
    if (entry === 'nx-agent-orchestrator') continue;
    symlinkSync(join(repoModules, entry), join(modules, entry));
  }
  return modules;
}
