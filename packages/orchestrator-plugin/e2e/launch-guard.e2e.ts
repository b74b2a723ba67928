import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTempWorkspace, SCRIPTED_NX_JSON, type TempWorkspace } from './utils/temp-workspace';

const task = (index: number) =>
  `---\nscript: { duration: 100ms, summary: "t${index} done", files: { "out/t${index}.txt": "${index}" } }\noutputs: ["out/t${index}.txt"]\n---\nDo ${index}.\n`;
const TWELVE = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`apps/app/tasks/t${index + 1}.agent.md`, task(index + 1)]));

const recordsWritten = (workspace: TempWorkspace) => (workspace.exists('.agent-runs/app') ? readdirSync(join(workspace.root, '.agent-runs/app')).length : 0);

/** maxTasks: 10 and a 12-task run: refused before any agent starts, with the numbers and how to go on. */
describe('the launch guard', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace(
      { 'apps/app/project.json': { name: 'app' }, ...TWELVE },
      { ...SCRIPTED_NX_JSON, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted', maxTasks: 10 } }] },
    );
  });

  it('stops a 12-task run before any agent starts, printing the numbers and how to go on', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3']);
    expect(result.code).toBe(1);
    expect(result.output).toContain('nx-agents launch guard: nothing was started, this run is over its limits (12 agent tasks to run > maxTasks 10)');
    expect(result.output).toContain('The plan: 12 agent tasks, 12 to run, 0 cached;');
    expect(result.output).toContain('To go on: NX_AGENTS_CONFIRM=1 nx run-many -t agent --parallel=3');
    expect(result.output).toContain('See every task: npx nx-agents plan --targets=agent --parallel=3');
    expect(result.output).not.toContain('nx run app:agent--');
    expect(recordsWritten(workspace)).toBe(0);
  });

  it('lets the run go on with NX_AGENTS_CONFIRM=1', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3'], { env: { NX_AGENTS_CONFIRM: '1' } });
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(result.output).toContain('going on past its limits (12 agent tasks to run > maxTasks 10): NX_AGENTS_CONFIRM is set');
    expect(recordsWritten(workspace)).toBe(12);
  });

  it('does not count cache hits: replaying the same 12 tasks is allowed', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3']);
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(result.output).not.toContain('launch guard');
    expect(result.output.match(/local cache/g)?.length ?? 0).toBeGreaterThanOrEqual(12);
  });

  it('holds with the daemon on too (the hook then runs in a worker of the daemon)', async () => {
    const daemon = { NX_DAEMON: 'true' };
    try {
      const result = await workspace.nx(['run', 'app:agent', '--skip-nx-cache'], { env: daemon });
      expect(result.code).toBe(1);
      expect(result.output).toContain('(12 agent tasks to run > maxTasks 10)');
      expect(result.output).toContain('To go on: NX_AGENTS_CONFIRM=1 nx run app:agent --skip-nx-cache');
      const confirmed = await workspace.nx(['run', 'app:agent', '--skip-nx-cache'], { env: { ...daemon, NX_AGENTS_CONFIRM: '1' } });
      expect({ code: confirmed.code, output: confirmed.code === 0 ? '' : confirmed.output }).toEqual({ code: 0, output: '' });
    } finally {
      await workspace.nx(['daemon', '--stop'], { env: daemon });
    }
  });
});
