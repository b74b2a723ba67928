// What every benchmark shares: an environment for a child nx (no daemon, no TUI, no cloud, no
// NX_* of an outer run), the built plugin installed as a packed copy, temp workspaces,
// commands (blocking and not), medians, and the rows of the one table `npm run bench` prints.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const { installPackedPlugin } = require(join(repoRoot, 'packages/orchestrator-plugin/scripts/install-packed-plugin.cjs'));

/** The environment for a benchmarked nx. */
export const benchEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_'))),
  NX_DAEMON: 'false',
  CI: 'true',
  NX_TUI: 'false',
  NX_NO_CLOUD: 'true',
};

/** Interleaved rounds per variant (BENCH_ROUNDS overrides). */
export function rounds(fallback) {
  return Number(process.env.BENCH_ROUNDS ?? fallback);
}

/** Builds the plugin and returns a node_modules folder holding its packed copy (remove with `cleanUp`). */
export function buildAndInstallPlugin() {
  console.log('Building the plugin...');
  run('npx', ['nx', 'run', 'nx-agent-orchestrator:build'], repoRoot, benchEnv);
  return installPackedPlugin();
}

/**
 * A temp workspace with these files (objects written as JSON), its node_modules linked to the
 * packed plugin's, and a git repository (Nx keys its cache by it). Returns its root.
 */
export function createWorkspace(modules, files, prefix = 'nx-agent-bench-') {
  const root = mkdtempSync(join(tmpdir(), prefix));
  writeFiles(root, { 'package.json': { name: 'bench', private: true }, ...files });
  symlinkSync(modules, join(root, 'node_modules'));
  run('git', ['init', '-q'], root);
  return root;
}

/** Writes files under a root, folders made as needed. */
export function writeFiles(root, files) {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
}

/** Runs the workspace's own nx to completion; returns its wall time and output. */
export function nx(root, args, environment = benchEnv) {
  const { ms, value } = time(() => run(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), ...args], root, environment));
  return { ms, stdout: value.stdout };
}

/** Runs a command to completion; throws with its output tail when it fails. */
export function run(command, args, cwd, environment = benchEnv) {
  const result = spawnSync(command, args, { cwd, env: environment, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout?.slice(-3000)}\n${result.stderr?.slice(-3000)}`);
  return result;
}

/** Runs a command without blocking; resolves with its wall time in ms and its output, rejects when it fails. */
export function runInBackground(command, args, cwd, environment = benchEnv) {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`));
    });
  });
}

/** The workspace's own nx, without blocking (so another command can be timed meanwhile). */
export function nxInBackground(root, args, environment = benchEnv) {
  return runInBackground(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), ...args], root, environment);
}

/** Milliseconds a function takes. */
export function time(action) {
  const started = process.hrtime.bigint();
  const value = action();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

export function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/** Calls each variant once per round, rotating the order every round so none always runs first. */
export function interleave(variants, roundCount) {
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < roundCount; round++) {
    for (let index = 0; index < names.length; index++) {
      const name = names[(index + round) % names.length];
      times[name].push(variants[name](round));
    }
  }
  return times;
}

/**
 * One row of the table. `value` is what was measured (with its unit); `ratios` maps a column
 * of the table to measured / that column's baseline.
 */
export function row(benchmark, label, value, unit, ratios, note) {
  return { benchmark, case: label, value, unit, ratios, ...(note ? { note } : {}) };
}

/** Removes benchmark folders. */
export function cleanUp(...folders) {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}
