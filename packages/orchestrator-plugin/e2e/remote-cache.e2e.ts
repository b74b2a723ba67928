import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMAND_AGENT_NX_JSON, COMMAND_AGENT_SCRIPT, commandAgentTask as task, invocationLog } from './utils/command-agent';
import { cloneTempWorkspace, createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const spec = (id: string, extra: string[] = []) => task(id, ['outputs: ["{projectRoot}/out/' + id + '.txt"]', ...extra], [`WRITE apps/app/out/${id}.txt`]);
const TOKEN = 'cache-token-for-e2e';

/** Two clones of one repository share a cache server: the second pays for nothing. */
describe('sharing agent runs across machines through the self-hosted remote cache', () => {
  let origin: TempWorkspace;
  let first: TempWorkspace;
  let second: TempWorkspace;
  let server: ChildProcess;
  let environment: Record<string, string>;
  const invocations = invocationLog();
  const invoked = () => invocations.since(0);

  beforeAll(async () => {
    origin = createTempWorkspace(
      {
        'tools/agent.js': COMMAND_AGENT_SCRIPT,
        'apps/app/project.json': { name: 'app' },
        'apps/app/tasks/design.agent.md': spec('design'),
        'apps/app/tasks/build-it.agent.md': spec('build-it', ['dependsOn: [design]']),
        'apps/app/tasks/docs.agent.md': spec('docs'),
      },
      COMMAND_AGENT_NX_JSON,
    );
    first = cloneTempWorkspace(origin);
    second = cloneTempWorkspace(origin);
    const store = mkdtempSync(join(tmpdir(), 'nx-agent-remote-store-'));
    server = spawn(process.execPath, [join(origin.root, 'node_modules/nx-agent-orchestrator/dist/cache-server/cli.js'), '--port', '0', '--dir', store], {
      env: { ...process.env, NX_AGENT_CACHE_TOKEN: TOKEN },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout!.on('data', (chunk: Buffer) => {
        const match = /listening on (http:\/\/\S+),/.exec(chunk.toString());
        if (match) resolve(match[1]);
      });
      server.on('exit', (code) => reject(new Error(`cache server exited with ${code}`)));
    });
    environment = { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN, AGENT_INVOCATIONS: invocations.path };
  });
  afterAll(() => server?.kill());

  it('clone 1 runs every agent and fills the shared cache', async () => {
    const result = await first.nx(['run-many', '-t', 'agent', '--parallel=3'], { env: environment });
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(invoked().sort()).toEqual(['build-it', 'design', 'docs']);
  });

  it('clone 2 invokes no agent, and gets every output file and run record back', async () => {
    const result = await second.nx(['run-many', '-t', 'agent', '--parallel=3'], { env: environment });
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(invoked()).toHaveLength(3);
    expect(result.output).toMatch(/remote cache/);
    for (const id of ['design', 'build-it', 'docs']) {
      expect(second.read(`apps/app/out/${id}.txt`)).toBe(`written by ${id}\n`);
      expect(second.readJson(`.agent-runs/app/${id}/result.json`)).toEqual(first.readJson(`.agent-runs/app/${id}/result.json`));
    }
    expect(readdirSync(join(second.root, '.agent-runs/app/build-it')).sort()).toEqual(['result.json', 'transcript.jsonl']);
  });

  it('a changed task on clone 2 runs alone, and still receives its cached upstream summary', async () => {
    second.write('apps/app/tasks/build-it.agent.md', `${spec('build-it', ['dependsOn: [design]'])}Also add tests.\n`);
    const result = await second.nx(['run-many', '-t', 'agent', '--parallel=3'], { env: environment });
    expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
    expect(invocations.since(3)).toEqual(['build-it']);
    const prompt = JSON.parse(second.read('.agent-runs/app/build-it/transcript.jsonl').split('\n')[0]).prompt as string;
    expect(prompt).toContain('### app:design\nsummary of design');
  });
});
