#!/usr/bin/env node
// Executor overhead per task: 100 agent tasks whose agent is the `command` provider running
// `true`, against the same 100 commands as Nx's own nx:run-commands targets, same workspace,
// --parallel=6, cache skipped, interleaved rounds (this machine is shared and noisy), medians.
// Also the agent tasks in Nx's batch mode (--batch, NX_PARALLEL=6).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchEnv as env, buildAndInstallPlugin, cleanUp, printRatios, rounds, run, time } from './bench-harness.mjs';

const ROUNDS = rounds(5);
const PROJECTS = 10;
const TASKS_PER_PROJECT = 10;
const PARALLEL = 6;

const modules = buildAndInstallPlugin();
const root = mkdtempSync(join(tmpdir(), 'nx-agent-overhead-'));
const nxJson = {
  analytics: false,
  plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'noop', agents: { noop: { provider: 'command', command: ['true'] } } } }],
};
writeFileSync(join(root, 'nx.json'), JSON.stringify(nxJson));
writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'overhead', private: true }));
for (let project = 0; project < PROJECTS; project++) {
  const folder = join(root, 'libs', `lib-${project}`);
  mkdirSync(folder, { recursive: true });
  const targets = { commands: { executor: 'nx:noop', dependsOn: ['cmd-*'] } };
  const tasks = [];
  for (let task = 0; task < TASKS_PER_PROJECT; task++) {
    targets[`cmd-${task}`] = { executor: 'nx:run-commands', options: { command: 'true' } };
    tasks.push({ id: `task-${task}`, prompt: `Task ${task}` });
  }
  writeFileSync(join(folder, 'project.json'), JSON.stringify({ name: `lib-${project}`, targets }));
  writeFileSync(join(folder, 'agent-tasks.json'), JSON.stringify({ tasks }));
}
symlinkSync(modules, join(root, 'node_modules'));
run('git', ['init', '-q'], root, env);

const nx = join(root, 'node_modules/nx/dist/bin/nx.js');
const variants = {
  'nx:run-commands': () => timed(['run-many', '-t', 'commands', `--parallel=${PARALLEL}`, '--skip-nx-cache'], env),
  'agent executor': () => timed(['run-many', '-t', 'agent', `--parallel=${PARALLEL}`, '--skip-nx-cache'], env),
  'agent executor --batch': () =>
    timed(['run-many', '-t', 'agent', `--parallel=${PARALLEL}`, '--skip-nx-cache', '--batch'], { ...env, NX_PARALLEL: String(PARALLEL) }),
};
const timed = (args, environment) => time(() => run(process.execPath, [nx, ...args], root, environment)).ms;

run(process.execPath, [nx, 'show', 'projects'], root, env); // graph computed once before timing
const names = Object.keys(variants);
const times = Object.fromEntries(names.map((name) => [name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (let index = 0; index < names.length; index++) {
    const name = names[(index + round) % names.length];
    times[name].push(variants[name]());
  }
}
printRatios(
  `${PROJECTS * TASKS_PER_PROJECT} tasks running \`true\`, --parallel=${PARALLEL}, no cache, ${ROUNDS} interleaved rounds (medians of whole nx run-many wall time):`,
  times,
  'nx:run-commands',
);
cleanUp(root, dirname(modules));
