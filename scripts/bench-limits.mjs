// What the run's limits cost a task when they never make it wait: 60 agent tasks whose agent is
// the `command` provider running `true`, --parallel=6, cache skipped, forked, in three
// workspaces that differ only in their plugin options: no limits; a pool of 6 for the provider
// (every task takes and gives back a cross-process slot on files, never waiting for one); and a
// run budget far above what the tasks spend (every task is admitted through the run's journal,
// and its spend recorded). Interleaved rounds, medians; ratios against no limits.
import { benchEnv, createWorkspace, interleave, median, nx, rounds, row } from './bench-harness.mjs';

const PROJECTS = 6;
const TASKS_PER_PROJECT = 10;
const PARALLEL = 6;

function workspaceFiles(limits) {
  const files = {
    'nx.json': {
      analytics: false,
      plugins: [
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'noop', agents: { noop: { provider: 'command', command: ['true'] } }, ...limits } },
      ],
    },
  };
  for (let project = 0; project < PROJECTS; project++) {
    files[`libs/lib-${project}/project.json`] = { name: `lib-${project}` };
    files[`libs/lib-${project}/agent-tasks.json`] = {
      tasks: Array.from({ length: TASKS_PER_PROJECT }, (_, task) => ({ id: `task-${task}`, prompt: `Task ${task}` })),
    };
  }
  return files;
}

/** Runs the benchmark; returns the table's rows and the workspaces to remove. */
export function benchLimits({ modules }) {
  const variants = {
    'no limits': {},
    'pool of 6 (never full)': { concurrency: { command: PARALLEL } },
    'run budget (never reached)': { budget: { tokens: 1_000_000_000 } },
  };
  const roots = Object.fromEntries(
    Object.entries(variants).map(([name, limits]) => [name, createWorkspace(modules, workspaceFiles(limits), 'nx-agent-limits-')]),
  );
  for (const root of Object.values(roots)) nx(root, ['show', 'projects']); // each graph computed once before timing
  const args = ['run-many', '-t', 'agent', `--parallel=${PARALLEL}`, '--skip-nx-cache'];
  const times = interleave(Object.fromEntries(Object.entries(roots).map(([name, root]) => [name, () => nx(root, args, benchEnv).ms])), rounds(3));
  const tasks = PROJECTS * TASKS_PER_PROJECT;
  const baseline = median(times['no limits']);
  const label = `${tasks} tasks running \`true\`, P=${PARALLEL}, forked`;
  return {
    roots: Object.values(roots),
    rows: Object.keys(variants).map((name) =>
      row(
        'limits',
        `${label}: ${name}, wall per task`,
        median(times[name]) / tasks,
        'ms',
        { 'x baseline': median(times[name]) / baseline },
        name === 'no limits' ? 'baseline' : undefined,
      ),
    ),
  };
}
