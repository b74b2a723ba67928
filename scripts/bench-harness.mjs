// What every benchmark shares: an environment for a child nx (no daemon, no TUI, no cloud, no
// NX_* of an outer run), the built plugin installed as a packed copy, commands, medians.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Runs a command to completion; throws with its output tail when it fails. */
export function run(command, args, cwd, environment = benchEnv) {
  const result = spawnSync(command, args, { cwd, env: environment, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${result.stdout?.slice(-3000)}\n${result.stderr?.slice(-3000)}`);
  return result;
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

/** Prints medians and each one's ratio to the baseline's. */
export function printRatios(title, times, baselineName, unit = 'ms', digits = 0) {
  const baseline = median(times[baselineName]);
  console.log(`\n${title}`);
  for (const [name, values] of Object.entries(times))
    console.log(`  ${name.padEnd(26)} ${median(values).toFixed(digits).padStart(8)} ${unit}   ${(median(values) / baseline).toFixed(2)}x`);
}

/** Removes benchmark folders. */
export function cleanUp(...folders) {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
}
