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

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
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
    await waitFor(() => pids().length === 6, 120_000);
    expect(pids().every(alive)).toBe(true);

    const exited = new Promise<number | null>((resolve) => nx.on('exit', (code) => resolve(code)));
    nx.kill(signal);
    const code = await exited;
    expect(code).not.toBe(0);
    await waitFor(() => !pids().some(alive), 15_000).catch(() => undefined);
    expect(pids().filter(alive)).toEqual([]);
    for (const id of ['one', 'two', 'three']) {
      const path = `.agent-runs/a/${id}/result.json`;
      if (workspace.exists(path)) expect(workspace.readJson(path).status).not.toBe('succeeded');
    }
  });
});
