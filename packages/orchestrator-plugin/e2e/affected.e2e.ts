import { COMMAND_AGENT_NX_JSON, COMMAND_AGENT_SCRIPT, commandAgentTask as task, invocationLog } from './utils/command-agent';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** `nx affected -t agent` follows changed specs to their dependents, across projects. */
describe('nx affected -t agent', () => {
  let workspace: TempWorkspace;
  const invocations = invocationLog();
  const env = { AGENT_INVOCATIONS: invocations.path };

  beforeAll(async () => {
    workspace = createTempWorkspace(
      {
        'tools/agent.js': COMMAND_AGENT_SCRIPT,
        'libs/core/project.json': { name: 'core' },
        'libs/core/tasks/schema.agent.md': task('schema', []),
        'libs/core/tasks/helpers.agent.md': task('helpers', []),
        'apps/shop/project.json': { name: 'shop' },
        'apps/shop/tasks/checkout.agent.md': task('checkout', ['dependsOn: [core:schema]']),
        'apps/blog/project.json': { name: 'blog' },
        'apps/blog/tasks/posts.agent.md': task('posts', []),
      },
      COMMAND_AGENT_NX_JSON,
    );
    expect((await workspace.nx(['run-many', '-t', 'agent'], { env })).code).toBe(0);
  });

  it('draws the cross-project task dependency as a project-graph edge', async () => {
    expect((await workspace.nx(['graph', '--file=graph.json'])).code).toBe(0);
    expect(workspace.readJson('graph.json').graph.dependencies.shop).toContainEqual({ source: 'shop', target: 'core', type: 'implicit' });
  });

  it('re-runs only the changed task and its dependents; unaffected projects are not even considered', async () => {
    workspace.write('libs/core/tasks/schema.agent.md', `${task('schema', [])}Add an index.\n`);
    const before = invocations.count();
    const result = await workspace.nx(['affected', '-t', 'agent', '--base=HEAD'], { env });
    expect(result.code).toBe(0);
    expect(invocations.since(before)).toEqual(['checkout', 'schema']);
    expect(result.output).toContain('nx run core:agent--helpers  [local cache]');
    expect(result.output).not.toContain('blog');
  });
});
