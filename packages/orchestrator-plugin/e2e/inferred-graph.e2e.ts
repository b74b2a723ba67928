import { exampleWorkspaceFiles } from './utils/example-workspace';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** What Nx itself reports about the inferred agent graph of the example workspace. */
describe('the inferred agent graph, as nx reports it', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    const files = exampleWorkspaceFiles();
    workspace = createTempWorkspace(files, JSON.parse(files['nx.json']));
  });

  it('nx show projects lists every project with tasks, including the one a 03-tasks.json slug names and the one a produced list gets', async () => {
    const result = await workspace.nx(['show', 'projects', '--json']);
    expect(result.code).toBe(0);
    // The fan-out's file workers and the returns feature's produced list are project nodes of their own (see docs/fan-out.md).
    expect(JSON.parse(result.stdout).sort()).toEqual([
      'checkout-redesign',
      'design-system',
      'migrations',
      'migrations--migrate-logging--src-legacy-invoices.ts',
      'migrations--migrate-logging--src-legacy-orders.ts',
      'migrations--migrate-logging--src-legacy-refunds.ts',
      'payments',
      'returns',
      'returns--plan',
      'storefront',
    ]);
  });

  it('nx show project --json has the task targets, the aggregate and their dependsOn', async () => {
    const result = await workspace.nx(['show', 'project', 'storefront', '--json']);
    expect(result.code).toBe(0);
    const project = JSON.parse(result.stdout);
    expect(Object.keys(project.targets).sort()).toEqual([
      'agent',
      'agent--add-analytics-events',
      'agent--audit-accessibility',
      'agent--checkout-ui',
      'agent--write-seo-meta',
    ]);
    expect(project.targets.agent).toMatchObject({ executor: 'nx:noop', dependsOn: ['agent--*'] });
    expect(project.targets['agent--checkout-ui']).toMatchObject({
      executor: 'nx-agent-orchestrator:agent',
      options: { spec: 'apps/storefront/agent-tasks/checkout-ui.agent.md', task: 'checkout-ui' },
      dependsOn: [{ projects: ['payments'], target: 'agent--implement-api' }],
      cache: true,
      outputs: ['{workspaceRoot}/.agent-runs/storefront/checkout-ui', '{projectRoot}/src/pages/checkout.tsx'],
    });
    expect(project.targets['agent--write-seo-meta'].dependsOn).toBeUndefined();
    expect(project.metadata.targetGroups['Agent tasks']).toEqual(expect.arrayContaining(['agent', 'agent--checkout-ui']));

    const payments = JSON.parse((await workspace.nx(['show', 'project', 'payments', '--json'])).stdout);
    expect(payments.targets['agent--implement-api'].dependsOn).toEqual(['agent--design-api', 'build']);
  });

  it('nx graph --file has the task edges, and a project edge for the cross-project dependency', async () => {
    const result = await workspace.nx(['graph', '--targets=agent', '--file=graph.json']);
    expect(result.code).toBe(0);
    const graph = workspace.readJson('graph.json');
    const edges = (id: string) =>
      (graph.tasks.dependencies[id] as Array<string | { id: string }>).map((edge) => (typeof edge === 'string' ? edge : edge.id)).sort();
    expect(edges('checkout-redesign:agent--1.1')).toEqual([]);
    expect(edges('checkout-redesign:agent--2.1')).toEqual(['checkout-redesign:agent--1.1', 'checkout-redesign:agent--1.2']);
    expect(edges('checkout-redesign:agent--2.2')).toEqual(['checkout-redesign:agent--1.1']);
    expect(edges('checkout-redesign:agent--3.1')).toEqual(['checkout-redesign:agent--2.1', 'checkout-redesign:agent--2.2']);
    expect(edges('payments:agent--implement-api')).toEqual(['payments:agent--design-api', 'payments:build']);
    expect(edges('storefront:agent--checkout-ui')).toEqual(['payments:agent--implement-api']);
    expect(edges('design-system:agent--button-variants')).toEqual(['design-system:agent--tokens']);
    expect(edges('storefront:agent')).toEqual([
      'storefront:agent--add-analytics-events',
      'storefront:agent--audit-accessibility',
      'storefront:agent--checkout-ui',
      'storefront:agent--write-seo-meta',
    ]);
    const projectEdges = graph.graph.dependencies.storefront.map((edge: { target: string }) => edge.target);
    expect(projectEdges).toContain('payments');
  });

  it('warns, without failing, where a decomposition claims parallelWith for tasks its dependencies order', async () => {
    workspace.write(
      'specs/claims/03-tasks.json',
      JSON.stringify({
        slug: 'claims',
        tasks: [
          { id: '1', subject: 'a' },
          { id: '2', subject: 'b', dependencies: ['1'], parallelWith: ['1'] },
        ],
      }),
    );
    const result = await workspace.nx(['show', 'projects']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('specs/claims/03-tasks.json:1: "2" lists "1" as parallel, but "2" depends on "1"');
  });
});
