#!/usr/bin/env node
// Replay of a fully cached 200-task agent graph, against a cold run of the same workspace with
// 0-second scripted agents (so the cold run is pure orchestration overhead, the worst case for
// the ratio). Interleaved rounds, medians, one run (this machine is shared and noisy).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchEnv as env, buildAndInstallPlugin, cleanUp, printRatios, rounds, run, time } from './bench-harness.mjs';

const ROUNDS = rounds(3);
const PROJECTS = 20;
const TASKS_PER_PROJECT = 10;
const PARALLEL = 6;

const modules = buildAndInstallPlugin();
const root = mkdtempSync(join(tmpdir(), 'nx-agent-replay-'));
writeFileSync(
  join(root, 'nx.json'),
  JSON.stringify({ analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted' } }] }),
);
writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'replay', private: true }));
for (let project = 0; project < PROJECTS; project++) {
  const folder = join(root, 'libs', `lib-${project}`, 'agent-tasks');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(root, 'libs', `lib-${project}`, 'project.json'), JSON.stringify({ name: `lib-${project}` }));
  for (let task = 0; task < TASKS_PER_PROJECT; task++) {
    // Chains of five inside each project, so the replay also restores upstream records.
    const dependsOn = task % 5 ? `dependsOn: [task-${task - 1}]\n` : '';
    const files = `files: { "generated/task-${task}.ts": "export const task${task} = ${task};" }`;
    writeFileSync(
      join(folder, `task-${task}.agent.md`),
      `---\n${dependsOn}outputs: ["{projectRoot}/generated/task-${task}.ts"]\nscript: { duration: 0s, summary: "did ${task}", ${files} }\n---\nTask ${task} of lib-${project}.\n`,
    );
  }
}
symlinkSync(modules, join(root, 'node_modules'));
run('git', ['init', '-q'], root, env);

const nx = join(root, 'node_modules/nx/dist/bin/nx.js');
const timed = (args, cacheDirectory) => {
  const { ms, value } = time(() => run(process.execPath, [nx, ...args], root, { ...env, NX_CACHE_DIRECTORY: cacheDirectory }));
  return { ms, output: value.stdout };
};
run(process.execPath, [nx, 'show', 'projects'], root, env);
const times = { 'cold run (0 s agents)': [], 'fully cached replay': [] };
for (let round = 0; round < ROUNDS; round++) {
  // A new, empty cache each round: the cold run fills it, the replay reads it.
  const cacheDirectory = mkdtempSync(join(tmpdir(), 'nx-agent-replay-cache-'));
  rmSync(join(root, '.agent-runs'), { recursive: true, force: true });
  times['cold run (0 s agents)'].push(timed(['run-many', '-t', 'agent', `--parallel=${PARALLEL}`], cacheDirectory).ms);
  rmSync(join(root, '.agent-runs'), { recursive: true, force: true });
  const replay = timed(['run-many', '-t', 'agent', `--parallel=${PARALLEL}`], cacheDirectory);
  const hits = (replay.output.match(/\[local cache\]/g) ?? []).length;
  if (hits !== PROJECTS * TASKS_PER_PROJECT) throw new Error(`expected ${PROJECTS * TASKS_PER_PROJECT} cache hits, saw ${hits}`);
  times['fully cached replay'].push(replay.ms);
  rmSync(cacheDirectory, { recursive: true, force: true });
}
printRatios(
  `${PROJECTS * TASKS_PER_PROJECT} agent tasks, --parallel=${PARALLEL}, ${ROUNDS} interleaved rounds (medians of whole nx run-many wall time):`,
  times,
  'cold run (0 s agents)',
);
cleanUp(root, dirname(modules));
