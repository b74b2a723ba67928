import { runRecord } from './utils/run-records';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const valid = (id: string, extra = '') => `---\nscript: { duration: 200ms, summary: "${id} done" }\n${extra}---\nDo ${id}.\n`;

/** A malformed spec beside valid ones never takes the workspace down. */
describe('a malformed spec beside valid ones', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace({
      'apps/api/project.json': { name: 'api' },
      'apps/api/tasks/design.agent.md': valid('design'),
      'apps/api/tasks/build-it.agent.md': valid('build-it', 'dependsOn: [design]\n'),
      'apps/api/tasks/broken.agent.md': '---\ndependson: [design]\n---\nBroken on purpose.\n',
      'libs/web/project.json': { name: 'web' },
      'libs/web/agent-tasks.json': '{ "tasks": [ { "id": "page", "prompt": "x", } ] }',
      'libs/docs/project.json': { name: 'docs' },
      'libs/docs/readme.agent.md': valid('readme'),
    });
  });

  it('nx show projects still lists every project and prints the error with the file and line', async () => {
    const result = await workspace.nx(['show', 'projects']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(['api', 'docs', 'web']);
    expect(result.stderr).toContain('apps/api/tasks/broken.agent.md:2: unknown field "dependson" in task "broken". Did you mean "dependsOn"?');
    expect(result.stderr).toContain('libs/web/agent-tasks.json:1: invalid JSON');
  });

  it('valid tasks still run with nx run and nx run-many', async () => {
    const single = await workspace.nx(['run', 'api:agent--build-it']);
    expect(single.code).toBe(0);
    expect(runRecord(workspace, 'api', 'build-it').status).toBe('succeeded');

    const many = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3']);
    expect(many.code).not.toBe(0);
    expect(runRecord(workspace, 'docs', 'readme').status).toBe('succeeded');
    expect(runRecord(workspace, 'api', 'design').status).toBe('succeeded');
    expect(many.output).toMatch(/Failed tasks:[\s\S]*api:agent--broken/);
    expect(many.output).toMatch(/Failed tasks:[\s\S]*web:agent--invalid-agent-tasks/);
  });

  it('running the bad task fails with the same error, naming the file', async () => {
    const result = await workspace.nx(['run', 'api:agent--broken']);
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('apps/api/tasks/broken.agent.md:2: unknown field "dependson" in task "broken". Did you mean "dependsOn"?');
    expect(workspace.exists('.agent-runs/api/broken')).toBe(false);
  });

  it('fixing the spec makes the task runnable again', async () => {
    workspace.write('apps/api/tasks/broken.agent.md', valid('broken', 'dependsOn: [design]\n'));
    const result = await workspace.nx(['run', 'api:agent--broken']);
    expect(result.code).toBe(0);
    expect(runRecord(workspace, 'api', 'broken').summary).toBe('broken done');
  });
});
