import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskGraph } from '@nx/devkit';
import { readRunRecord, RUN_RECORD_SCHEMA_VERSION, writeRunRecord } from '../../runs/run-record';
import type { DurationEvidence } from './batch-expected-durations';
import { runAgentBatch, type AgentBatchRequest, type BatchTaskOutcome } from './batch-run';
import type { AgentTargetRun } from './run-agent-target';

/** A task graph of project `p` from `task: [dependencies]`, in the given order. */
function graphOf(edges: Record<string, string[]>): TaskGraph {
  const id = (task: string) => `p:${task}`;
  const tasks = Object.fromEntries(
    Object.keys(edges).map((task) => [id(task), { id: id(task), target: { project: 'p', target: task }, overrides: {}, outputs: [], parallelism: true }]),
  );
  const dependencies = Object.fromEntries(Object.entries(edges).map(([task, needs]) => [id(task), needs.map((need) => ({ id: id(need) }))]));
  return { roots: [], tasks, dependencies, continuousDependencies: {} } as unknown as TaskGraph;
}

/** A runTask whose tasks end when the test says so, recording what started and what it was given. */
function controlledTasks() {
  const pending = new Map<string, { resolve: (success: boolean) => void; reject: (error: Error) => void; run: AgentTargetRun }>();
  const started: string[] = [];
  let mostAtOnce = 0;
  const runTask = (run: AgentTargetRun) =>
    new Promise<boolean>((resolve, reject) => {
      started.push(run.taskId);
      run.log(`started ${run.taskId}`);
      pending.set(run.taskId, { resolve, reject, run });
      mostAtOnce = Math.max(mostAtOnce, pending.size);
    }).finally(() => pending.delete(run.taskId));
  return {
    runTask,
    started,
    pending,
    get mostAtOnce() {
      return mostAtOnce;
    },
    end: (task: string, success = true) => pending.get(`p:${task}`)!.resolve(success),
    fail: (task: string, error: Error) => pending.get(`p:${task}`)!.reject(error),
  };
}

/** Drives the batch generator: `next()` resolves with the next outcome. */
function startBatch(
  edges: Record<string, string[]>,
  overrides: Partial<AgentBatchRequest> & Pick<AgentBatchRequest, 'runTask'>,
  durations: Record<string, number> = {},
) {
  const abort = new AbortController();
  const taskGraph = graphOf(edges);
  const batch = runAgentBatch({
    taskGraph,
    inputs: Object.fromEntries(Object.keys(taskGraph.tasks).map((task) => [task, { spec: 'p/agent-tasks.json', task: task.slice(2) }])),
    context: { root: '/nonexistent', projectsConfigurations: { version: 2, projects: { p: { root: 'p' } } }, nxJsonConfiguration: {} },
    parallel: 2,
    signal: abort.signal,
    stopRequested: () => abort.signal.aborted,
    durationEvidence: (task): DurationEvidence => ({ task, ...(durations[task.slice(2)] !== undefined ? { lastSucceededMs: durations[task.slice(2)] } : {}) }),
    write: () => undefined,
    ...overrides,
  });
  const next = async (): Promise<BatchTaskOutcome> => {
    const step = await batch.next();
    if (step.done) throw new Error('the batch ended');
    return step.value;
  };
  return { next, abort, ended: async () => (await batch.next()).done };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('runAgentBatch', () => {
  it('starts the task with the longest expected remaining path first, within parallel', async () => {
    const tasks = controlledTasks();
    // short-a and short-b come first in Nx's order, but long -> after is the critical path.
    const batch = startBatch(
      { 'short-a': [], 'short-b': [], long: [], after: ['long'] },
      { runTask: tasks.runTask },
      { 'short-a': 5, 'short-b': 4, long: 10, after: 10 },
    );
    const first = batch.next();
    await flush();
    expect(tasks.started).toEqual(['p:long', 'p:short-a']);
    tasks.end('short-a');
    expect((await first).task).toBe('p:short-a');
    const second = batch.next();
    await flush();
    expect(tasks.started).toEqual(['p:long', 'p:short-a', 'p:short-b']);
    tasks.end('long');
    expect((await second).task).toBe('p:long');
    await flush();
    expect(tasks.started.at(-1)).toBe('p:after');
    tasks.end('short-b');
    tasks.end('after');
    expect([(await batch.next()).task, (await batch.next()).task].sort()).toEqual(['p:after', 'p:short-b']);
    expect(await batch.ended()).toBe(true);
    expect(tasks.mostAtOnce).toBe(2);
  });

  it('skips what needs a failed task, naming it, and still runs the rest', async () => {
    const tasks = controlledTasks();
    const batch = startBatch({ base: [], middle: ['base'], top: ['middle'], other: [] }, { runTask: tasks.runTask, parallel: 1 }, { base: 3, other: 1 });
    const first = batch.next();
    await flush();
    tasks.end('base', false);
    const failed = await first;
    expect(failed).toMatchObject({ task: 'p:base', result: { success: false } });
    expect(failed.result.status).toBeUndefined();
    expect(failed.result.terminalOutput).toContain('started p:base');
    const skipped = [await batch.next(), await batch.next()];
    expect(skipped.map(({ task, result }) => [task, result.success, result.status, result.terminalOutput])).toEqual([
      ['p:middle', false, 'skipped', 'not run: p:base failed\n'],
      ['p:top', false, 'skipped', 'not run: p:base failed\n'],
    ]);
    const last = batch.next();
    await flush();
    expect(tasks.started).toEqual(['p:base', 'p:other']);
    tasks.end('other');
    expect(await last).toMatchObject({ task: 'p:other', result: { success: true } });
    expect(await batch.ended()).toBe(true);
  });

  it('turns a task that throws into a failure with the message in its output', async () => {
    const tasks = controlledTasks();
    const batch = startBatch({ a: [], b: ['a'] }, { runTask: tasks.runTask });
    const first = batch.next();
    await flush();
    tasks.fail('a', new Error('Invalid options for the nx-agent-orchestrator plugin'));
    expect(await first).toMatchObject({ task: 'p:a', result: { success: false } });
    expect((await first).result.terminalOutput).toContain('Invalid options for the nx-agent-orchestrator plugin');
    expect(await batch.next()).toMatchObject({ task: 'p:b', result: { status: 'skipped' } });
    expect(await batch.ended()).toBe(true);
  });

  it('on a stop: aborts the running agents, starts nothing more, skips the rest, and ends once the running ones end', async () => {
    const tasks = controlledTasks();
    const batch = startBatch({ a: [], b: [], c: ['a'], d: [] }, { runTask: tasks.runTask }, { a: 3, b: 2, d: 1 });
    const first = batch.next();
    await flush();
    expect(tasks.started).toEqual(['p:a', 'p:b']);
    batch.abort.abort();
    const skipped = [await first, await batch.next()];
    expect(skipped.map(({ task, result }) => [task, result.status, result.terminalOutput])).toEqual([
      ['p:c', 'skipped', 'not run: the batch was stopped\n'],
      ['p:d', 'skipped', 'not run: the batch was stopped\n'],
    ]);
    for (const { run } of tasks.pending.values()) expect(run.signal.aborted).toBe(true);
    const interrupted = batch.next();
    tasks.end('a', false);
    expect(await interrupted).toMatchObject({ task: 'p:a', result: { success: false } });
    const lastRunning = batch.next();
    tasks.end('b', false);
    expect(await lastRunning).toMatchObject({ task: 'p:b', result: { success: false } });
    expect(await batch.ended()).toBe(true);
    expect(tasks.started).toEqual(['p:a', 'p:b']);
  });

  it('stopped before it started: runs nothing, skips everything', async () => {
    const tasks = controlledTasks();
    const batch = startBatch({ a: [], b: ['a'] }, { runTask: tasks.runTask });
    batch.abort.abort();
    expect([(await batch.next()).result.status, (await batch.next()).result.status]).toEqual(['skipped', 'skipped']);
    expect(await batch.ended()).toBe(true);
    expect(tasks.started).toEqual([]);
  });
});

describe('runAgentBatch with the real scripted agent', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'agent-batch-'));
    mkdirSync(join(root, 'p'));
    const tasks = [
      { id: 'first', prompt: 'Do first.', agent: 'scripted', script: { duration: '0.03s', summary: 'first done' } },
      { id: 'second', prompt: 'Do second.', agent: 'scripted', script: { duration: '0.01s', summary: 'second done' } },
    ];
    writeFileSync(join(root, 'p', 'agent-tasks.json'), JSON.stringify({ tasks }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const runBoth = async () => {
    const taskGraph = graphOf({ first: [], second: [] });
    const outcomes: BatchTaskOutcome[] = [];
    for await (const outcome of runAgentBatch({
      taskGraph,
      inputs: { 'p:first': { spec: 'p/agent-tasks.json', task: 'first' }, 'p:second': { spec: 'p/agent-tasks.json', task: 'second' } },
      context: { root, projectsConfigurations: { version: 2, projects: { p: { root: 'p' } } }, nxJsonConfiguration: {}, taskGraph },
      parallel: 1,
      signal: new AbortController().signal,
      stopRequested: () => false,
      write: () => undefined,
    }))
      outcomes.push(outcome);
    return outcomes;
  };

  it('weighs tasks by their scripts, then by the last successful run in their records', async () => {
    const cold = await runBoth();
    expect(cold.map(({ task, result }) => [task, result.success])).toEqual([
      ['p:first', true],
      ['p:second', true],
    ]);
    expect(readRunRecord(root, 'p', 'first')?.summary).toBe('first done');
    // Its record says `second` took a minute last time: it now goes first.
    const record = readRunRecord(root, 'p', 'second')!;
    expect(record.schemaVersion).toBe(RUN_RECORD_SCHEMA_VERSION);
    writeRunRecord(root, { ...record, durationMs: 60_000 });
    const warm = await runBoth();
    expect(warm.map(({ task }) => task)).toEqual(['p:second', 'p:first']);
    // A failed last run is not history: back to the scripts.
    writeRunRecord(root, { ...readRunRecord(root, 'p', 'second')!, durationMs: 60_000, status: 'failed' });
    expect((await runBoth()).map(({ task }) => task)).toEqual(['p:first', 'p:second']);
  });
});
