// Packs the built plugin with `npm pack` and unpacks it as a real folder (not a symlink: Nx
// runs a symlinked workspace plugin from its TypeScript source) inside a node_modules folder
// whose other entries link to the repository's installed packages. Test and benchmark
// workspaces link their node_modules to it. Shared by the e2e setup and the benchmarks.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');

const pluginRoot = resolve(__dirname, '..');
const repoRoot = resolve(pluginRoot, '../..');

/** @returns {string} the node_modules folder holding the packed plugin */
function installPackedPlugin() {
  if (!existsSync(join(pluginRoot, 'dist', 'index.js'))) {
    throw new Error('packages/orchestrator-plugin/dist is missing: run `npx nx run nx-agent-orchestrator:build` first');
  }
  const root = mkdtempSync(join(tmpdir(), 'nx-agent-modules-'));
  const modules = join(root, 'node_modules');
  mkdirSync(join(modules, 'nx-agent-orchestrator'), { recursive: true });
  const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', root], { cwd: pluginRoot, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(root, tarball), '-C', join(modules, 'nx-agent-orchestrator'), '--strip-components=1']);
  // Dependencies npm nested under the plugin (a version other than the hoisted one) stay nested, as an install from the registry has them.
  const ownModules = join(pluginRoot, 'node_modules');
  if (existsSync(ownModules)) {
    mkdirSync(join(modules, 'nx-agent-orchestrator', 'node_modules'), { recursive: true });
    for (const entry of readdirSync(ownModules)) {
      if (!entry.startsWith('.')) symlinkSync(join(ownModules, entry), join(modules, 'nx-agent-orchestrator', 'node_modules', entry));
    }
  }
  const repoModules = join(repoRoot, 'node_modules');
  for (const entry of readdirSync(repoModules)) {
    if (entry !== 'nx-agent-orchestrator') symlinkSync(join(repoModules, entry), join(modules, entry));
  }
  return modules;
}

module.exports = { installPackedPlugin, pluginRoot, repoRoot };
