// Scheduling on agent-like DAGs: each shape's scripted agents (fixed durations of a few seconds)
// run by nx at --parallel 3 and 6, forked (one process per task, Nx's order) and --batch (one
// process, the plugin's critical-path order, weighted by the forked run's records just before),
// against the lower bound, a reference list schedule with exact durations, the playbook's wave
// batching, and `make -j` running `sleep` on the same DAG at the same time as the forked run.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchEnv, createWorkspace, nx, nxInBackground, row, runInBackground } from './bench-harness.mjs';
import { dagShapes, lowerBound, makefileFor, referenceSchedule, waveSchedule } from './bench-dag-shapes.mjs';

// BENCH_PARALLEL=3 and BENCH_SHAPES=0,2 narrow a run while working on it.
const PARALLEL = (process.env.BENCH_PARALLEL ?? '3,6').split(',').map(Number);
const chosen = (index) => !process.env.BENCH_SHAPES || process.env.BENCH_SHAPES.split(',').map(Number).includes(index);
const probeScript = join(import.meta.dirname, 'bench-probe.cjs');

/** The shapes as one workspace: a project per shape, its tasks in one agent-tasks.json. */
function workspaceFiles(shapes) {
  const files = { 'nx.json': { analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted' } }] } };
  shapes.forEach((shape, index) => {
    const tasks = shape.tasks.map((task) => ({
      id: task.id,
      prompt: `Work on ${task.id}.`,
      dependsOn: task.dependsOn,
      script: { duration: `${task.seconds}s`, summary: `${task.id} done` },
    }));
    files[`shapes/shape-${index}/project.json`] = { name: `shape-${index}` };
    files[`shapes/shape-${index}/agent-tasks.json`] = { tasks };
    files[`make/shape-${index}.mk`] = makefileFor(shape.tasks);
  });
  return files;
}

/** Start and end (ms since the epoch) of each task's agent, from its run record. */
function recordIntervals(root, project, tasks) {
  return tasks.map((task) => {
    const record = JSON.parse(readFileSync(join(root, '.agent-runs', project, task.id, 'result.json'), 'utf8'));
    if (record.status !== 'succeeded') throw new Error(`${project}:${task.id} ${record.status}`);
    return { id: task.id, start: Date.parse(record.startedAt), end: Date.parse(record.endedAt) };
  });
}

const spanSeconds = (intervals) => (Math.max(...intervals.map((entry) => entry.end)) - Math.min(...intervals.map((entry) => entry.start))) / 1000;

/** The most intervals open at once. */
function mostAtOnce(intervals) {
  return Math.max(...intervals.map((own) => intervals.filter((other) => other.start <= own.start && own.start < other.end).length));
}

/** Runs the benchmark; returns the table's rows. */
export async function benchScheduling({ modules }) {
  const shapes = dagShapes();
  const root = createWorkspace(modules, workspaceFiles(shapes), 'nx-agent-scheduling-');
  const probeFile = join(root, 'probe.jsonl');
  const rows = [];
  nx(root, ['show', 'projects']);
  for (const parallel of PARALLEL) {
    for (const [index, shape] of shapes.entries()) {
      if (!chosen(index)) continue;
      const project = `shape-${index}`;
      const label = `${shape.name}, P=${parallel}`;
      const bound = lowerBound(shape.tasks, parallel);
      const reference = referenceSchedule(shape.tasks, parallel);
      const waves = waveSchedule(shape.tasks, parallel);
      const args = ['run-many', '-t', 'agent', `--projects=${project}`, `--parallel=${parallel}`, '--skip-nx-cache', '--output-style=static'];

      // Forked, with make -j on the same DAG meanwhile (sleep takes no CPU from it).
      rmSync(probeFile, { force: true });
      const [make, forked] = await Promise.all([
        runInBackground('make', ['-s', '-j', String(parallel), '-f', `make/${project}.mk`, 'all'], root),
        nxInBackground(root, args, { ...benchEnv, NODE_OPTIONS: `--require ${probeScript}`, BENCH_PROBE_FILE: probeFile }),
      ]);
      const makeSeconds = make.ms / 1000;
      const processes = readFileSync(probeFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      // A forked task holds its slot from its process start to its exit.
      const slots = processes.map((probe) => ({ id: probe.task, start: probe.processStart, end: probe.exit }));
      const forkedSpan = spanSeconds(slots);
      const costs = new Map(slots.map((slot) => [slot.id, (slot.end - slot.start) / 1000]));
      const withForkedCosts = shape.tasks.map((task) => ({ ...task, seconds: costs.get(`${project}:agent--${task.id}`) ?? task.seconds }));
      const forkedWaves = waveSchedule(withForkedCosts, parallel);
      const forkedAgents = recordIntervals(root, project, shape.tasks);

      // --batch, weighted by the records the forked run just left (its warm-up).
      const batch = nx(root, [...args, '--batch']);
      const batchAgents = recordIntervals(root, project, shape.tasks);
      const batchSpan = spanSeconds(batchAgents);
      const batchMost = mostAtOnce(batchAgents);
      if (batchMost > parallel) throw new Error(`--batch ran ${batchMost} agents at once on ${label}`);

      const against = (seconds, extra = {}) => ({
        'x LB': seconds / bound,
        'x ref': seconds / reference,
        'x waves': seconds / waves,
        'x make': seconds / makeSeconds,
        ...extra,
      });
      rows.push(
        row('scheduling', `${label}: lower bound max(CP, work/P)`, bound, 's', {}),
        row('scheduling', `${label}: reference list schedule`, reference, 's', { 'x LB': reference / bound }),
        row('scheduling', `${label}: waves (simulated)`, waves, 's', { 'x LB': waves / bound, 'x ref': waves / reference }),
        row('scheduling', `${label}: make -j${parallel} sleep`, makeSeconds, 's', {
          'x LB': makeSeconds / bound,
          'x ref': makeSeconds / reference,
          'x waves': makeSeconds / waves,
        }),
        row(
          'scheduling',
          `${label}: forked span`,
          forkedSpan,
          's',
          against(forkedSpan, { 'x same-cost waves': forkedSpan / forkedWaves }),
          `agents alone ${spanSeconds(forkedAgents).toFixed(1)} s`,
        ),
        row('scheduling', `${label}: forked wall`, forked.ms / 1000, 's', against(forked.ms / 1000)),
        row('scheduling', `${label}: --batch span`, batchSpan, 's', against(batchSpan), `at most ${batchMost} at once`),
        row('scheduling', `${label}: --batch wall`, batch.ms / 1000, 's', against(batch.ms / 1000)),
      );
      console.log(
        `  ${label}: ref ${reference} s, waves ${waves} s, make ${makeSeconds.toFixed(1)} s, forked span ${forkedSpan.toFixed(1)} s, --batch span ${batchSpan.toFixed(1)} s`,
      );
    }
  }
  return { rows, root };
}
