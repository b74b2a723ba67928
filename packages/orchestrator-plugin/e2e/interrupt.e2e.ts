import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, nxEnvironment, type TempWorkspace } from './utils/temp-workspace';

// Each agent is a shell that starts a grandchild (sleep), records both pids, and waits.
const AGENT = ['sh', '-c', 'sleep 300 & echo $! >> agent-pids.txt; echo $$ >> agent-pids.txt; wait'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `value` until `done` says so or `timeoutMs` passes; returns the last value, for the test to assert on. */
async function eventually<T>(value: () => T, done: (current: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let current = value();
  while (!done(current) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    current = value();
  }
  return current;
}

/** Stopping `nx run-many` mid-run stops every agent and its children, and claims no success. */
describe.each(['SIGINT', 'SIGTERM'] as const)('%s to nx run-many mid-run', (signal) => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    const tasks = ['one', 'two', 'three'].map((id) => ({ id, prompt: `Work on ${id}` }));
    workspace = createTempWorkspace(
      { 'apps/a/project.json': { name: 'a' }, 'apps/a/agent-tasks.json': { tasks } },
      {
        analytics: false,
        plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'sleeper', agents: { sleeper: { provider: 'command', command: AGENT } } } }],
      },
    );
  });

  it('leaves no agent process alive and no run record claiming success', async () => {
    const nx = spawn(process.execPath, [join(workspace.root, 'node_modules/nx/dist/bin/nx.js'), 'run-many', '-t', 'agent', '--parallel=3'], {
      cwd: workspace.root,
      env: nxEnvironment(workspace.root),
      stdio: 'ignore',
    });
    const pidFile = join(workspace.root, 'agent-pids.txt');
    const pids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
    expect(
      await eventually(
        () => pids().length,
        (count) => count === 6,
        120_000,
      ),
    ).toBe(6);
    expect(pids().filter(alive)).toEqual(pids());

    const exited = new Promise<number | null>((resolve) => nx.on('exit', (code) => resolve(code)));
    nx.kill(signal);
    const code = await exited;
    expect(code).not.toBe(0);
    // Every agent process ends within 15 s (Nx's grace, then the group kill); the list says which did not.
    expect(
      await eventually(
        () => pids().filter(alive),
        (living) => living.length === 0,
        15_000,
      ),
    ).toEqual([]);
    // Each run was recorded, and as stopped: never as a success, never missing.
    const statuses = ['one', 'two', 'three'].map(
      (id) => workspace.exists(`.agent-runs/a/${id}/result.json`) && workspace.readJson(`.agent-runs/a/${id}/result.json`).status,
    );
    expect(statuses).toEqual(['interrupted', 'interrupted', 'interrupted']);
  });
});
