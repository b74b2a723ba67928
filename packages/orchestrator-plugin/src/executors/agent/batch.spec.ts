import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import { readRunRecord } from '../../runs/run-record';
import agentBatchExecutor from './batch';
import type { BatchTaskOutcome } from './batch-run';

/** The `cat` sentinels this process has started (see tree-kill-sentinel). */
const sentinelPids = (): number[] =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim().endsWith('cat'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));

describe('agentBatchExecutor (the Nx batch entry)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'agent-batch-executor-'));
    mkdirSync(join(root, 'p'));
    const tasks = [
      { id: 'slow', prompt: 'Slow.', agent: 'scripted', script: { duration: '60s' } },
      { id: 'after', prompt: 'After.', agent: 'scripted', dependsOn: ['slow'], script: { duration: '0s' } },
      { id: 'other', prompt: 'Other.', agent: 'scripted', script: { duration: '0s' } },
    ];
    writeFileSync(join(root, 'p', 'agent-tasks.json'), JSON.stringify({ tasks }));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('stops when Nx kills its process tree: the running agent is interrupted, the rest skipped, within --parallel', async () => {
    const ids = ['slow', 'after', 'other'];
    const taskGraph = {
      roots: ['p:slow', 'p:other'],
      tasks: Object.fromEntries(ids.map((id) => [`p:${id}`, { id: `p:${id}`, target: { project: 'p', target: `agent--${id}` }, overrides: {}, outputs: [] }])),
      dependencies: { 'p:slow': [], 'p:other': [], 'p:after': [{ id: 'p:slow' }] },
      continuousDependencies: {},
    } as unknown as TaskGraph;
    const context = {
      root,
      cwd: root,
      isVerbose: false,
      projectsConfigurations: { version: 2, projects: { p: { root: 'p' } } },
      // One at a time (jest's command line has no --parallel): `other` must wait behind `slow`.
      nxJsonConfiguration: { parallel: 1 },
      taskGraph,
    } as unknown as ExecutorContext;
    const before = new Set(sentinelPids());
    const outcomes: BatchTaskOutcome[] = [];
    const inputs = Object.fromEntries(ids.map((id) => [`p:${id}`, { spec: 'p/agent-tasks.json', task: id }]));
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const batch = agentBatchExecutor(taskGraph, inputs, {}, context);
      const first = batch.next();
      let sentinel: number | undefined;
      for (let tries = 0; tries < 100 && sentinel === undefined; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        sentinel = sentinelPids().find((pid) => !before.has(pid));
      }
      expect(sentinel).toBeDefined();
      // `slow` has started (its record folder is being written) before the tree is killed.
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(sentinel!, 'SIGTERM');
      const step = await first;
      if (!step.done) outcomes.push(step.value);
      for await (const outcome of { [Symbol.asyncIterator]: () => batch }) outcomes.push(outcome);
    } finally {
      write.mockRestore();
    }
    expect(outcomes.map(({ task, result }) => [task, result.success, result.status])).toEqual([
      ['p:after', false, 'skipped'],
      ['p:other', false, 'skipped'],
      ['p:slow', false, undefined],
    ]);
    expect(outcomes[0].result.terminalOutput).toBe('not run: the batch was stopped\n');
    expect(readRunRecord(root, 'p', 'slow')?.status).toBe('interrupted');
    expect(readRunRecord(root, 'p', 'other')).toBeUndefined();
  }, 30_000);
});
