// Per-task overhead: 100 agent tasks whose agent is the `command` provider running `true`,
// forked (a process per task) and --batch (one process), against the same 100 commands as Nx's
// own nx:run-commands targets (run inside Nx's process), --parallel=6, cache skipped,
// interleaved rounds, medians. Inside each forked task's process a probe (bench-probe.cjs)
// measures the executor's own share (module load, and setup: everything in the executor call
// but the agent's run) apart from the rest of the process's life (Nx's fork: node start, Nx's
// task runner, exit).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnv, createWorkspace, interleave, median, nx, rounds, row } from './bench-harness.mjs';

const PROJECTS = 10;
const TASKS_PER_PROJECT = 10;
const PARALLEL = 6;
const probeScript = join(import.meta.dirname, 'bench-probe.cjs');

function workspaceFiles() {
  const files = {
    'nx.json': {
      analytics: false,
      plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'noop', agents: { noop: { provider: 'command', command: ['true'] } } } }],
    },
  };
  for (let project = 0; project < PROJECTS; project++) {
    const targets = { commands: { executor: 'nx:noop', dependsOn: ['cmd-*'] } };
    const tasks = [];
    for (let task = 0; task < TASKS_PER_PROJECT; task++) {
      targets[`cmd-${task}`] = { executor: 'nx:run-commands', options: { command: 'true' } };
      tasks.push({ id: `task-${task}`, prompt: `Task ${task}` });
    }
    files[`libs/lib-${project}/project.json`] = { name: `lib-${project}`, targets };
    files[`libs/lib-${project}/agent-tasks.json`] = { tasks };
  }
  return files;
}

/** Runs the benchmark; returns the table's rows. */
export function benchExecutorOverhead({ modules }) {
  const root = createWorkspace(modules, workspaceFiles(), 'nx-agent-overhead-');
  const probeFile = join(root, 'probe.jsonl');
  const environment = { ...benchEnv, NODE_OPTIONS: `--require ${probeScript}`, BENCH_PROBE_FILE: probeFile };
  const tasks = PROJECTS * TASKS_PER_PROJECT;
  const base = ['run-many', `--parallel=${PARALLEL}`, '--skip-nx-cache'];
  const probes = { forked: [], batch: [] };
  const probed = (name, args) => () => {
    rmSync(probeFile, { force: true });
    const { ms } = nx(root, args, environment);
    if (existsSync(probeFile))
      probes[name].push(
        ...readFileSync(probeFile, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line)),
      );
    return ms;
  };
  nx(root, ['show', 'projects']); // the graph computed once before timing
  const times = interleave(
    {
      'nx:run-commands': () => nx(root, [...base, '-t', 'commands'], environment).ms,
      forked: probed('forked', [...base, '-t', 'agent']),
      batch: probed('batch', [...base, '-t', 'agent', '--batch']),
    },
    rounds(2),
  );
  const agentMs = Object.fromEntries(
    Array.from({ length: PROJECTS }, (_, project) =>
      Array.from({ length: TASKS_PER_PROJECT }, (_, task) => [`lib-${project}:agent--task-${task}`, project, task]),
    )
      .flat()
      .map(([id, project, task]) => [
        id,
        JSON.parse(readFileSync(join(root, '.agent-runs', `lib-${project}`, `task-${task}`, 'result.json'), 'utf8')).durationMs,
      ]),
  );
  const forkedProbes = probes.forked.filter((probe) => probe.kind === 'executor');
  if (forkedProbes.length < tasks) throw new Error(`the probe saw ${forkedProbes.length} forked tasks, expected ${tasks} or more`);
  const moduleLoad = median(forkedProbes.map((probe) => probe.loadEnd - probe.loadStart));
  const setup = median(forkedProbes.map((probe) => probe.callEnd - probe.callStart - (agentMs[probe.task] ?? 0)));
  const processLife = median(forkedProbes.map((probe) => probe.exit - probe.processStart));
  const batchLoad = median(probes.batch.map((probe) => probe.loadEnd - probe.loadStart));
  const commands = median(times['nx:run-commands']);
  const perTask = (name) => median(times[name]) / tasks;
  const vsCommands = (name) => ({ 'x baseline': median(times[name]) / commands });
  const label = `${tasks} tasks running \`true\`, P=${PARALLEL}`;
  return {
    root,
    rows: [
      row(
        'overhead',
        `${label}: nx:run-commands, wall per task`,
        perTask('nx:run-commands'),
        'ms',
        { 'x baseline': 1 },
        'baseline: inside Nx, no process per task',
      ),
      row('overhead', `${label}: agent executor forked, wall per task`, perTask('forked'), 'ms', vsCommands('forked')),
      row('overhead', `${label}: agent executor --batch, wall per task`, perTask('batch'), 'ms', vsCommands('batch')),
      row('overhead', 'forked task process, start to exit (median)', processLife, 'ms', { 'x baseline': 1 }, 'baseline: the whole process'),
      row('overhead', '  of it the executor module load', moduleLoad, 'ms', { 'x baseline': moduleLoad / processLife }),
      row('overhead', '  of it the executor setup (call minus agent run)', setup, 'ms', { 'x baseline': setup / processLife }),
      row('overhead', '  of it Nx fork (node start, task runner, exit)', processLife - moduleLoad - setup - median(Object.values(agentMs)), 'ms', {
        'x baseline': (processLife - moduleLoad - setup - median(Object.values(agentMs))) / processLife,
      }),
      row('overhead', '--batch: executor module load, once per batch', batchLoad, 'ms', {}),
    ],
  };
}
