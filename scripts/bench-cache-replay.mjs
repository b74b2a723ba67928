// Cached replay: 200 agent tasks (20 projects, chains of five) whose agent is the `anthropic`
// provider, the real @anthropic-ai/sdk client, talking to the project's scripted model server
// on 127.0.0.1. The cold run (--batch: one process) fills an empty Nx cache; the unchanged rerun (records removed, so
// they must come back from the cache) replays every task. Wall time of the replay against the
// cold run, and the model requests the server saw during each (the rerun's must be 0).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEnv, createWorkspace, median, nxInBackground, repoRoot, rounds, row, run } from './bench-harness.mjs';

const require = createRequire(import.meta.url);
const PROJECTS = 20;
const TASKS_PER_PROJECT = 10;
const PARALLEL = 6;

/** The scripted model server, compiled from its TypeScript source into a temp folder. */
function loadModelServer() {
  const out = mkdtempSync(join(tmpdir(), 'nx-agent-model-server-'));
  const source = join(repoRoot, 'packages/orchestrator-plugin/src/testing/model-server/index.ts');
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  run(
    process.execPath,
    [
      tsc,
      '--outDir',
      out,
      '--rootDir',
      join(source, '..'),
      '--module',
      'commonjs',
      '--target',
      'es2022',
      '--moduleResolution',
      'node',
      '--esModuleInterop',
      '--skipLibCheck',
      '--types',
      'node',
      source,
    ],
    repoRoot,
  );
  return { out, modelServer: require(join(out, 'index.js')) };
}

function workspaceFiles() {
  const files = {
    'nx.json': {
      analytics: false,
      plugins: [
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'coder', agents: { coder: { provider: 'anthropic', model: 'claude-sonnet-4-6' } } } },
      ],
    },
  };
  for (let project = 0; project < PROJECTS; project++) {
    files[`libs/lib-${project}/project.json`] = { name: `lib-${project}` };
    const tasks = Array.from({ length: TASKS_PER_PROJECT }, (_, task) => ({
      id: `task-${task}`,
      prompt: `Task ${task} of lib-${project}: reply with a one-line summary.`,
      ...(task % 5 ? { dependsOn: [`task-${task - 1}`] } : {}),
    }));
    files[`libs/lib-${project}/agent-tasks.json`] = { tasks };
  }
  return files;
}

/** Runs the benchmark; returns the table's rows and the folders to remove. */
export async function benchCacheReplay({ modules }) {
  const { out, modelServer } = loadModelServer();
  const server = await modelServer.startModelServer({ defaultText: 'Done: summary written.' });
  const root = createWorkspace(modules, workspaceFiles(), 'nx-agent-replay-');
  const tasks = PROJECTS * TASKS_PER_PROJECT;
  const modelRequests = () => server.requests.filter((request) => request.route === 'generate').length;
  const cold = [];
  const replay = [];
  const requests = { cold: [], replay: [] };
  try {
    for (let round = 0; round < rounds(2); round++) {
      const environment = {
        ...benchEnv,
        NX_CACHE_DIRECTORY: mkdtempSync(join(tmpdir(), 'nx-agent-replay-cache-')),
        ANTHROPIC_BASE_URL: server.url,
        ANTHROPIC_API_KEY: 'sk-bench-not-a-key',
      };
      const args = ['run-many', '-t', 'agent', `--parallel=${PARALLEL}`];
      rmSync(join(root, '.agent-runs'), { recursive: true, force: true });
      let before = modelRequests();
      // The cold run in one process: a forked SDK task costs seconds to start on this machine.
      cold.push((await nxInBackground(root, [...args, '--batch'], environment)).ms);
      requests.cold.push(modelRequests() - before);
      rmSync(join(root, '.agent-runs'), { recursive: true, force: true });
      before = modelRequests();
      const rerun = await nxInBackground(root, args, environment);
      requests.replay.push(modelRequests() - before);
      const hits = (rerun.stdout.match(/\[local cache\]/g) ?? []).length;
      if (hits !== tasks) throw new Error(`expected ${tasks} cache hits on the rerun, saw ${hits}`);
      replay.push(rerun.ms);
      rmSync(environment.NX_CACHE_DIRECTORY, { recursive: true, force: true });
    }
  } finally {
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
  if (Math.min(...requests.cold) < tasks) throw new Error(`the cold run sent ${Math.min(...requests.cold)} model requests for ${tasks} tasks`);
  const label = `${tasks} anthropic-SDK tasks, P=${PARALLEL}`;
  return {
    roots: [root],
    rows: [
      row('replay', `${label}: cold run (empty cache, --batch)`, median(cold) / 1000, 's', { 'x baseline': 1 }, `${Math.max(...requests.cold)} model requests`),
      row(
        'replay',
        `${label}: unchanged rerun, every task from the cache`,
        median(replay) / 1000,
        's',
        { 'x baseline': median(replay) / median(cold) },
        `${tasks} cache hits`,
      ),
      row('replay', `${label}: model requests on the unchanged rerun`, Math.max(...requests.replay), 'requests', {}, 'must be 0'),
    ],
  };
}
