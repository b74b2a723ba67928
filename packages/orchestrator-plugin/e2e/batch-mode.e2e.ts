import { EXAMPLE_TASKS, exampleWorkspaceFiles } from './utils/example-workspace';
import { interval, runRecord } from './utils/run-records';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** `--batch`: many agent tasks in one process, still in dependency order and within --parallel. */
describe('nx run-many -t agent --batch', () => {
  let workspace: TempWorkspace;
  let result: Awaited<ReturnType<TempWorkspace['nx']>>;
  beforeAll(async () => {
    const files = exampleWorkspaceFiles();
    workspace = createTempWorkspace(files, JSON.parse(files['nx.json']));
    result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=2', '--batch', '--output-style=static']);
  });

  it('runs every task, the ones after a plain target outside the batch too', () => {
    expect(result.code).toBe(0);
    expect(result.output).toContain('with nx-agent-orchestrator:agent');
    for (const key of EXAMPLE_TASKS) {
      const [project, task] = key.split(':');
      expect({ key, status: runRecord(workspace, project, task).status }).toEqual({ key, status: 'succeeded' });
    }
    expect(runRecord(workspace, 'payments', 'implement-api').attempts).toBe(2);
  });

  it('keeps dependency order and runs at most --parallel agents at once', () => {
    const intervals = EXAMPLE_TASKS.map((key) => {
      const [project, task] = key.split(':');
      return interval(runRecord(workspace, project, task));
    });
    const most = Math.max(...intervals.map((own) => intervals.filter((other) => other.start <= own.start && own.start < other.end).length));
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
    const upstream = interval(runRecord(workspace, 'checkout-redesign', '2.1'));
    const downstream = interval(runRecord(workspace, 'checkout-redesign', '3.1'));
    expect(downstream.start).toBeGreaterThanOrEqual(upstream.end);
    const prompt = JSON.parse(workspace.read('.agent-runs/checkout-redesign/3.1/transcript.jsonl').split('\n')[0]).prompt;
    expect(prompt).toContain('### checkout-redesign:2.1');
  });
});
