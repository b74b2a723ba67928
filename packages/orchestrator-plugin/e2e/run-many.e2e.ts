import { EXAMPLE_TASKS, exampleWorkspaceFiles } from './utils/example-workspace';
import { interval, runRecord } from './utils/run-records';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** `nx run-many -t agent` on the example workspace: every task, once, in dependency order, in parallel. */
describe('nx run-many -t agent --parallel=3', () => {
  let workspace: TempWorkspace;
  let output: string;
  let exitCode: number | null;
  beforeAll(async () => {
    const files = exampleWorkspaceFiles();
    workspace = createTempWorkspace(files, JSON.parse(files['nx.json']));
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3', '--output-style=static']);
    output = result.output;
    exitCode = result.code;
  });

  it('succeeds and runs every task exactly once', () => {
    expect(exitCode).toBe(0);
    for (const key of EXAMPLE_TASKS) {
      const [project, task] = key.split(':');
      const runs = output.split('\n').filter((line) => line.trim() === `> nx run ${project}:agent--${task}`);
      expect({ key, runs: runs.length }).toEqual({ key, runs: 1 });
      expect(runRecord(workspace, project, task).status).toBe('succeeded');
    }
  });

  it('starts each task only after every task it depends on has ended (from the recorded times)', async () => {
    const result = await workspace.nx(['graph', '--targets=agent', '--file=graph.json']);
    expect(result.code).toBe(0);
    const dependencies: Record<string, Array<string | { id: string }>> = workspace.readJson('graph.json').tasks.dependencies;
    let checked = 0;
    for (const [taskId, upstream] of Object.entries(dependencies)) {
      const [project, target] = taskId.split(':');
      if (!target.startsWith('agent--')) continue;
      const own = interval(runRecord(workspace, project, target.slice('agent--'.length)));
      for (const edge of upstream) {
        const [upstreamProject, upstreamTarget] = (typeof edge === 'string' ? edge : edge.id).split(':');
        if (!upstreamTarget.startsWith('agent--')) continue;
        const before = interval(runRecord(workspace, upstreamProject, upstreamTarget.slice('agent--'.length)));
        expect({ taskId, upstream: `${upstreamProject}:${upstreamTarget}`, ordered: own.start >= before.end }).toEqual({
          taskId,
          upstream: `${upstreamProject}:${upstreamTarget}`,
          ordered: true,
        });
        checked++;
      }
    }
    // 8 edges among the example's hand-written tasks, 10 from the logging-migration fan-out (5 workers after the plan, 5 before the
    // report), 5 in the returns feature's produced list (3 tasks after the analysis, 2 after the model).
    expect(checked).toBe(23);
  });

  it('overlaps independent tasks in time', () => {
    const storefront = ['audit-accessibility', 'write-seo-meta', 'add-analytics-events'].map((task) => interval(runRecord(workspace, 'storefront', task)));
    const overlapping = storefront.filter((a, index) => storefront.some((b, other) => other !== index && a.start < b.end && b.start < a.end));
    expect(overlapping.length).toBeGreaterThanOrEqual(2);
    // With more ready tasks than slots (the fan-out added some), which ones Nx co-schedules is its choice; that it fills all 3 slots is not.
    const all = EXAMPLE_TASKS.map((key) => interval(runRecord(workspace, key.split(':')[0], key.split(':')[1])));
    const mostAtOnce = Math.max(...all.map((a) => all.filter((b) => b.start <= a.start && a.start < b.end).length));
    expect(mostAtOnce).toBe(3);
  });

  it('hands each upstream summary to its dependent, across projects, and retries a transient failure', () => {
    const checkout = runRecord(workspace, 'storefront', 'checkout-ui');
    expect(checkout.upstream).toEqual(['payments:implement-api']);
    const prompt = JSON.parse(workspace.read('.agent-runs/storefront/checkout-ui/transcript.jsonl').split('\n')[0]).prompt as string;
    expect(prompt).toContain(`### payments:implement-api\n${runRecord(workspace, 'payments', 'implement-api').summary}`);
    expect(runRecord(workspace, 'payments', 'implement-api').attempts).toBe(2);
    expect(workspace.read('libs/payments/src/api/intents.ts')).toContain('createIntent');
  });
});
