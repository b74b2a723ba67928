#!/usr/bin/env node
// The offline demo: build the plugin, install it into the example workspace as a packed
// copy (the way users install it), then run the example's agent graph twice with the
// scripted agent: the first run does the work, the second is replayed from Nx's cache. Each
// run ends with the plugin's run summary (also in .agent-runs/summary.json).
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const example = join(repoRoot, 'packages', 'example-workspace');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

function step(title, command, args, options = {}) {
  console.log(`\n\u25b6 ${title}\n  $ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(`\n\u2716 ${title} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status ?? 1);
  }
}

// An outer nx run sets NX_* variables that would point the example's nx at this repo.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NX_')));
const exampleEnv = { ...cleanEnv, NX_NO_CLOUD: 'true' };

if (!existsSync(join(repoRoot, 'node_modules', 'nx'))) step('Install the repository', npm, ['install', '--no-audit', '--no-fund'], { cwd: repoRoot });
step('Build the plugin', npx, ['nx', 'run', 'nx-agent-orchestrator:build', '--skip-nx-cache'], { cwd: repoRoot, env: cleanEnv });
// A packed copy is only refreshed when it is gone: remove it so the build above is what runs.
rmSync(join(example, 'node_modules', 'nx-agent-orchestrator'), { recursive: true, force: true });
step('Install the plugin into the example workspace (packed copy, not a link)', npm, ['install', '--no-audit', '--no-fund'], { cwd: example, env: cleanEnv });
rmSync(join(example, '.agent-runs'), { recursive: true, force: true });
step('Reset the example workspace cache so the first run really runs', npx, ['nx', 'reset', '--only-cache'], { cwd: example, env: exampleEnv });
// Through nx-agents: with the Nx daemon on (a developer machine) only it can print the run summary.
step('Run every agent task (first run: the scripted agents work)', npx, ['nx-agents', 'run-many', '-t', 'agent', '--parallel=3', '--output-style=static'], {
  cwd: example,
  env: exampleEnv,
});
step('Run them again (unchanged specs: every task is replayed from the cache)', npx, ['nx-agents', 'run-many', '-t', 'agent', '--parallel=3'], {
  cwd: example,
  env: exampleEnv,
});

console.log('\nSee the plan: cd packages/example-workspace && npx nx graph --targets=agent');
