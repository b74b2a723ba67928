import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMMAND_AGENT_NX_JSON, COMMAND_AGENT_SCRIPT, commandAgentTask as task, invocationLog } from './utils/command-agent';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const lockfile = (packages: Record<string, string>) => ({
  name: 'e2e-workspace',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'e2e-workspace', devDependencies: Object.fromEntries(Object.keys(packages).map((name) => [name, packages[name]])) },
    ...Object.fromEntries(
      Object.entries(packages).map(([name, version]) => [
        `node_modules/${name}`,
        {
          version,
          resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
          integrity: `sha512-${Buffer.from(`${name}@${version}`).toString('base64')}`,
          dev: true,
        },
      ]),
    ),
  },
});

/** What re-runs, and what does not, as a workspace changes. */
describe('caching agent runs', () => {
  let workspace: TempWorkspace;
  const invocations = invocationLog();
  const run = async () => {
    const before = invocations.count();
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=3'], { env: { AGENT_INVOCATIONS: invocations.path } });
    return { ...result, ran: invocations.since(before) };
  };
  const setPackages = (packages: Record<string, string>) => {
    workspace.write('package.json', { name: 'e2e-workspace', private: true, devDependencies: packages });
    workspace.write('package-lock.json', lockfile(packages));
  };

  beforeAll(() => {
    workspace = createTempWorkspace(
      {
        'tools/agent.js': COMMAND_AGENT_SCRIPT,
        'apps/app/project.json': { name: 'app' },
        'apps/app/docs/context.md': 'The context, version 1.\n',
        'apps/app/src/index.ts': 'export const x = 1;\n',
        'apps/app/tasks/upstream.agent.md': task('upstream', ['outputs: ["{projectRoot}/out/upstream.txt"]'], ['WRITE apps/app/out/upstream.txt']),
        'apps/app/tasks/downstream.agent.md': task('downstream', ['dependsOn: [upstream]']),
        'apps/app/tasks/sibling.agent.md': task('sibling', []),
        'apps/app/tasks/reader.agent.md': task('reader', ['inputs: ["docs/context.md"]']),
        'apps/app/tasks/editor.agent.md': task(
          'editor',
          ['inputs: ["src/**"]', 'outputs: ["{projectRoot}/src/generated.ts"]'],
          ['WRITE apps/app/src/generated.ts'],
        ),
        'apps/app/tasks/flaky.agent.md': task('flaky', [], ['FAIL WHILE fail.flag EXISTS']),
        'fail.flag': 'present\n',
      },
      COMMAND_AGENT_NX_JSON,
    );
    setPackages({ 'nx-agent-orchestrator': '0.1.0', nx: '24.0.6' });
  });

  it('a failed run is not cached: after the fix it runs again, and only it', async () => {
    const failing = await run();
    expect(failing.code).not.toBe(0);
    expect(failing.ran).toEqual(['downstream', 'editor', 'flaky', 'reader', 'sibling', 'upstream']);
    expect(workspace.readJson('.agent-runs/app/flaky/result.json').status).toBe('failed');

    rmSync(join(workspace.root, 'fail.flag'));
    const fixed = await run();
    expect(fixed.code).toBe(0);
    expect(fixed.ran).toEqual(['flaky']);
  });

  it('an unchanged workspace is all cache hits, with identical outputs, even where the agent edited its own inputs', async () => {
    const outputs = ['apps/app/out/upstream.txt', 'apps/app/src/generated.ts'].map((file) => workspace.read(file));
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.ran).toEqual([]);
    for (const id of ['downstream', 'editor', 'flaky', 'reader', 'sibling', 'upstream'])
      expect(result.output).toContain(`nx run app:agent--${id}  [local cache]`);
    expect(['apps/app/out/upstream.txt', 'apps/app/src/generated.ts'].map((file) => workspace.read(file))).toEqual(outputs);
  });

  it('a changed prompt re-runs that task and its dependents, not its siblings', async () => {
    workspace.write(
      'apps/app/tasks/upstream.agent.md',
      task('upstream', ['outputs: ["{projectRoot}/out/upstream.txt"]'], ['WRITE apps/app/out/upstream.txt', 'Be brief.']),
    );
    expect((await run()).ran).toEqual(['downstream', 'upstream']);
  });

  it('a changed context file re-runs only the tasks that list it', async () => {
    workspace.write('apps/app/docs/context.md', 'The context, version 2.\n');
    expect((await run()).ran).toEqual(['reader']);
  });

  it('a lockfile change that touches neither the plugin nor an agent client re-runs nothing', async () => {
    setPackages({ 'nx-agent-orchestrator': '0.1.0', nx: '24.0.6', 'left-pad': '1.3.0' });
    const result = await run();
    expect(result.code).toBe(0);
    expect(result.ran).toEqual([]);
  });

  it('a new plugin version re-runs every agent task', async () => {
    setPackages({ 'nx-agent-orchestrator': '0.2.0', nx: '24.0.6', 'left-pad': '1.3.0' });
    expect((await run()).ran).toEqual(['downstream', 'editor', 'flaky', 'reader', 'sibling', 'upstream']);
  });
});
