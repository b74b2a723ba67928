import { existsSync, mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_ID_ENV, STAND_IN_ENV, runStateFolder } from '../limits/run-identity';
import { createPreTasksExecution, preTasksExecution } from './pre-tasks-execution';

describe('preTasksExecution', () => {
  // The hook's job is to set process.env: put it back for the other tests of this worker.
  const saved = process.env[RUN_ID_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[RUN_ID_ENV];
    else process.env[RUN_ID_ENV] = saved;
    delete process.env[STAND_IN_ENV];
  });
  const context = (root: string, id: string) => ({ id, workspaceRoot: root, nxJsonConfiguration: {}, argv: [] });

  it("hands Nx's invocation id to the task processes and prunes week-old run states", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hook-'));
    // Nx's default data folder of a workspace.
    const data = join(root, '.nx', 'workspace-data');
    const old = runStateFolder(data, 'old-run');
    mkdirSync(old, { recursive: true });
    const time = new Date(Date.now() - 8 * 86_400_000);
    utimesSync(old, time, time);
    await preTasksExecution({}, context(root, '1234567890'));
    expect(process.env[RUN_ID_ENV]).toBe('1234567890');
    expect(existsSync(old)).toBe(false);
  });

  it('runs the launch guard after naming the run, and lets its refusal stop Nx', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hook-'));
    const seen: Array<string | undefined> = [];
    const hook = createPreTasksExecution({
      guard: async (options) => {
        seen.push(process.env[RUN_ID_ENV]);
        if (options?.maxTasks === 1) throw new Error('nx-agents launch guard: 3 agent tasks, more than maxTasks 1');
      },
    });
    await hook({ maxTasks: 5 }, context(root, 'run-a'));
    await expect(hook({ maxTasks: 1 }, context(root, 'run-b'))).rejects.toThrow('more than maxTasks 1');
    expect(seen).toEqual(['run-a', 'run-b']);
  });

  it('lets a command that selects no tasks go on with the real guard (nx show, nx graph)', async () => {
    // Refusing a real selection needs Nx's project graph: e2e/launch-guard.e2e.ts drives that through this hook.
    const root = mkdtempSync(join(tmpdir(), 'hook-'));
    await expect(preTasksExecution({ maxTasks: 1 }, context(root, 'run-c'))).resolves.toBeUndefined();
    expect(process.env[RUN_ID_ENV]).toBe('run-c');
  });

  it("keeps the parent's run id in a nested run (an analysis task running its produced list), and only there", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hook-'));
    process.env[RUN_ID_ENV] = 'parent-run';
    await preTasksExecution({}, context(root, 'nested-run'));
    // A leftover id in the user's shell is not a nested run.
    expect(process.env[RUN_ID_ENV]).toBe('nested-run');
    process.env[RUN_ID_ENV] = 'parent-run';
    process.env[STAND_IN_ENV] = '["shop:agent--plan"]';
    await preTasksExecution({}, context(root, 'nested-run'));
    expect(process.env[RUN_ID_ENV]).toBe('parent-run');
  });
});
