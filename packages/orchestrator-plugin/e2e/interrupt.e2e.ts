import { SLEEPING_AGENT, alive, eventually, startNxInBackground } from './utils/processes';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** Stopping `nx run-many` mid-run stops every agent and its children, and claims no success. */
describe.each(['SIGINT', 'SIGTERM'] as const)('%s to nx run-many mid-run', (signal) => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    const tasks = ['one', 'two', 'three'].map((id) => ({ id, prompt: `Work on ${id}` }));
    workspace = createTempWorkspace(
      { 'apps/a/project.json': { name: 'a' }, 'apps/a/agent-tasks.json': { tasks } },
      {
        analytics: false,
        plugins: [
          { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'sleeper', agents: { sleeper: { provider: 'command', command: SLEEPING_AGENT } } } },
        ],
      },
    );
  });

  it('leaves no agent process alive and no run record claiming success', async () => {
    const { nx, agentPids: pids, exited } = startNxInBackground(workspace, ['run-many', '-t', 'agent', '--parallel=3']);
    expect(
      await eventually(
        () => pids().length,
        (count) => count === 6,
        120_000,
      ),
    ).toBe(6);
    expect(pids().filter(alive)).toEqual(pids());

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
