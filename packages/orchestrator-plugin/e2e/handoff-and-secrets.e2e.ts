import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startModelServer, type ModelServer } from '../src/testing/model-server';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const API_KEY = 'sk-ant-e2e-0123456789-do-not-leak';
const CACHE_TOKEN = 'remote-cache-token-e2e';
const UPSTREAM_SUMMARY = 'PLAN-SUMMARY-7f3a: put the jobs on a queue, one worker per shard.';

/** Every file below `folder`, recursively. */
function filesBelow(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

/**
 * The real claude CLI, through Nx, against the scripted model server: the dependent task's
 * request carries the upstream summary, and the API key shows up nowhere it could be kept.
 */
describe('handoff and secrets with claude-code', () => {
  let workspace: TempWorkspace;
  let models: ModelServer;
  let cacheServer: ChildProcess;
  let store: string;
  let output: string;
  let home: string;

  beforeAll(async () => {
    workspace = createTempWorkspace(
      {
        'apps/p/project.json': { name: 'p' },
        'apps/p/tasks/plan.agent.md': '---\nagent: coder\ntimeout: 90s\n---\nE2E-PLAN: plan the job system.\n',
        'apps/p/tasks/build.agent.md': '---\nagent: coder\ndependsOn: [plan]\ntimeout: 90s\n---\nE2E-BUILD: build what the plan says.\n',
      },
      {
        analytics: false,
        plugins: [{ plugin: 'nx-agent-orchestrator', options: { agents: { coder: { provider: 'claude-code', model: 'claude-sonnet-4-5', maxTurns: 3 } } } }],
      },
    );
    models = await startModelServer({
      rules: [
        { when: { userTextIncludes: 'E2E-PLAN' }, turns: [{ type: 'text', text: UPSTREAM_SUMMARY }] },
        { when: { userTextIncludes: 'E2E-BUILD' }, turns: [{ type: 'text', text: 'Built the queue and the workers.' }] },
      ],
    });
    store = mkdtempSync(join(tmpdir(), 'nx-agent-secrets-store-'));
    cacheServer = spawn(
      process.execPath,
      [join(workspace.root, 'node_modules/nx-agent-orchestrator/dist/cache-server/cli.js'), '--port', '0', '--dir', store],
      {
        env: { ...process.env, NX_AGENT_CACHE_TOKEN: CACHE_TOKEN },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const cacheUrl = await new Promise<string>((resolve) =>
      cacheServer.stdout!.on(
        'data',
        (chunk: Buffer) => /listening on (\S+),/.test(chunk.toString()) && resolve(/listening on (\S+),/.exec(chunk.toString())![1]),
      ),
    );
    home = mkdtempSync(join(tmpdir(), 'nx-agent-secrets-home-'));
    const result = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static', '--verbose'], {
      env: {
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: models.url,
        ANTHROPIC_API_KEY: API_KEY,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cacheUrl,
        NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: CACHE_TOKEN,
      },
    });
    output = result.output;
    expect({ code: result.code, output: result.code === 0 ? '' : output }).toEqual({ code: 0, output: '' });
  });

  afterAll(async () => {
    cacheServer?.kill();
    await models?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('the dependent task receives the upstream summary, as the model server sees it', () => {
    const build = models.requests.filter(
      (request) => request.route === 'generate' && request.conversation?.userTexts.some((text) => text.includes('E2E-BUILD')),
    );
    expect(build.length).toBeGreaterThan(0);
    const prompt = build[0].conversation!.userTexts.join('\n');
    expect(prompt).toContain('### p:plan');
    expect(prompt).toContain(UPSTREAM_SUMMARY);
    const plan = models.requests.find((request) => request.conversation?.userTexts.some((text) => text.includes('E2E-PLAN')));
    expect(plan!.conversation!.userTexts.join('\n')).not.toContain('### ');
  });

  it('the key reached the model server, and nothing kept it: run records, terminal output, local and remote cache entries', () => {
    expect(JSON.stringify(models.requests.map((request) => request.headers))).toContain(API_KEY);
    const leaks: string[] = [];
    if (output.includes(API_KEY)) leaks.push('terminal output');
    for (const file of [...filesBelow(join(workspace.root, '.agent-runs')), ...filesBelow(join(workspace.root, '.nx', 'cache'))]) {
      if (readFileSync(file).includes(API_KEY)) leaks.push(file);
    }
    const entries = readdirSync(store);
    expect(entries.length).toBeGreaterThanOrEqual(2);
    for (const entry of entries) {
      const bytes = readFileSync(join(store, entry));
      const content = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
      if (content.includes(API_KEY)) leaks.push(`remote cache entry ${entry}`);
    }
    expect(leaks).toEqual([]);
  });
});
