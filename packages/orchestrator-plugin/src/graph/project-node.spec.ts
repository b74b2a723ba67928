import { projectNodeConfiguration, workProjectOf } from './project-node';

describe('project nodes', () => {
  it('a project node works in its owner folder, depends on its owner and carries its tags', () => {
    const configuration = projectNodeConfiguration('app--port--src-a.ts', 'apps/app', {
      root: 'apps/app/.agent-workers/port/src-a.ts',
      owner: 'app',
      tags: ['agent-workers:app:port'],
    });
    expect(configuration).toEqual({
      root: 'apps/app/.agent-workers/port/src-a.ts',
      name: 'app--port--src-a.ts',
      tags: ['agent-workers:app:port', 'agent-nodes:app'],
      implicitDependencies: ['app'],
      metadata: { agentTasks: { workRoot: 'apps/app', owner: 'app' } },
    });
    expect(workProjectOf('app--port--src-a.ts', configuration)).toEqual({
      name: 'app--port--src-a.ts',
      root: 'apps/app',
      owner: { name: 'app', root: 'apps/app' },
    });
  });

  it('any other project works in its own root and owns itself', () => {
    expect(workProjectOf('api', { root: 'libs/api', metadata: { targetGroups: {} } })).toEqual({
      name: 'api',
      root: 'libs/api',
      owner: { name: 'api', root: 'libs/api' },
    });
    // Metadata another plugin wrote under the same key, but not ours: the project's own root.
    expect(workProjectOf('api', { root: 'libs/api', metadata: { agentTasks: { workRoot: 3 } } }).root).toBe('libs/api');
  });
});
