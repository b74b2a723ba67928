import { existsSync, mkdirSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUN_ID_ENV, runStateFolder } from '../limits/run-identity';
import { preTasksExecution } from './pre-tasks-execution';

describe('preTasksExecution', () => {
  // The hook's job is to set process.env: put it back for the other tests of this worker.
  const saved = process.env[RUN_ID_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[RUN_ID_ENV];
    else process.env[RUN_ID_ENV] = saved;
  });

  it("hands Nx's invocation id to the task processes and prunes week-old run states", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hook-'));
    // Nx's default data folder of a workspace.
    const data = join(root, '.nx', 'workspace-data');
    const old = runStateFolder(data, 'old-run');
    mkdirSync(old, { recursive: true });
    const time = new Date(Date.now() - 8 * 86_400_000);
    utimesSync(old, time, time);
    await preTasksExecution({}, { id: '1234567890', workspaceRoot: root, nxJsonConfiguration: {}, argv: [] });
    expect(process.env[RUN_ID_ENV]).toBe('1234567890');
    expect(existsSync(old)).toBe(false);
  });
});
