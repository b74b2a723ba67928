import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startModelServer, writeFileConversation, type ModelServer, type RecordedRequest } from '../../src/testing/model-server';
import { createTempWorkspace, type TempWorkspace } from '../utils/temp-workspace';

const SYSTEM_PROMPT = 'E2E-SYSTEM-PROMPT: you are the "coder" profile.\nKeep answers short.';
// A model codex knows (no fallback-metadata warning) and the price table prices (gpt-5*).
const MODEL = 'gpt-5.5';
const SECRET = 'sk-codex-e2e-secret-key';

function task(marker: string, frontmatter: string): string {
  return `---\nagent: coder\n${frontmatter}---\n${marker}: do the work described here.\n`;
}

/** Processes this test started: any whose argv names `marker` (the workspace, the server port), or whose cwd is the workspace. */
function processesOf(root: string, marker: string): string[] {
  const byArguments = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => (line.includes(root) || line.includes(marker)) && !line.includes('ps -eo'));
  const byFolder = existsSync('/proc')
    ? readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            return readlinkSync(`/proc/${pid}/cwd`) === root;
          } catch {
            return false;
          }
        })
        .map((pid) => `${pid} (cwd ${root})`)
    : [];
  return [...byArguments, ...byFolder];
}

/**
 * The real `codex exec` CLI, run by the real Nx executor in a real temp workspace, pointed at
 * the scripted Responses server through OPENAI_BASE_URL + OPENAI_API_KEY: a write, a rate
 * limit, a rejected key and a hang.
 */
describe('provider codex through nx', () => {
  let workspace: TempWorkspace;
  let server: ModelServer;
  let home: string;
  let env: Record<string, string>;
  const requestsFor = (marker: string): RecordedRequest[] =>
    server.requests.filter((request) => request.route === 'generate' && request.conversation?.userTexts.some((text) => text.includes(marker)));

  beforeAll(async () => {
    workspace = createTempWorkspace(
      {
        'apps/a/project.json': { name: 'a' },
        'apps/a/src/.gitkeep': '',
        'apps/a/tasks/write.agent.md': task('E2E-WRITE', 'retries: 1\ntimeout: 60s\n'),
        'apps/a/tasks/rate-limited.agent.md': task('E2E-RATE', 'retries: 1\ntimeout: 60s\n'),
        'apps/a/tasks/bad-key.agent.md': task('E2E-AUTH', 'retries: 2\ntimeout: 60s\n'),
        'apps/a/tasks/hangs.agent.md': task('E2E-HANG', 'retries: 1\ntimeout: 5s\n'),
      },
      {
        analytics: false,
        plugins: [{ plugin: 'nx-agent-orchestrator', options: { agents: { coder: { provider: 'codex', model: MODEL, systemPrompt: SYSTEM_PROMPT, tools: ['Read', 'Write'], maxTurns: 5 } } } }],
      },
    );
    server = await startModelServer({
      rules: [
        {
          when: { userTextIncludes: 'E2E-WRITE' },
          // codex runs in the workspace root: a relative path in a shell command.
          turns: writeFileConversation({
            client: 'codex',
            filePath: 'apps/a/src/hello.ts',
            content: 'export const hello = "world";\n',
            summary: 'Created apps/a/src/hello.ts exporting hello.',
            toolCallUsage: { inputTokens: 1_200, outputTokens: 40 },
            summaryUsage: { inputTokens: 1_300, outputTokens: 15 },
          }),
        },
        { when: { userTextIncludes: 'E2E-RATE' }, turns: [{ type: 'error', status: 429, retryAfterSeconds: 1 }, { type: 'text', text: 'Recovered after the rate limit.' }] },
        { when: { userTextIncludes: 'E2E-AUTH' }, turns: [{ type: 'error', status: 401 }, { type: 'text', text: 'must never be reached' }] },
        { when: { userTextIncludes: 'E2E-HANG' }, turns: [{ type: 'hang' }] },
      ],
    });
    home = mkdtempSync(join(tmpdir(), 'codex-e2e-home-'));
    mkdirSync(join(home, '.codex'));
    // node_modules/.bin left off PATH: the executor must find codex in the workspace's own
    // node_modules/.bin, so the processes it starts name the workspace path.
    const path = (process.env.PATH ?? '').split(delimiter).filter((folder) => !folder.includes('node_modules')).join(delimiter);
    env = { PATH: path, HOME: home, CODEX_HOME: join(home, '.codex'), OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: SECRET };
  });

  afterAll(async () => {
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('writes a file through a shell command and records tokens, cost, summary, provider and model', async () => {
    const result = await workspace.nx(['run', 'a:agent--write', '--output-style=static'], { env });
    expect(result.code).toBe(0);
    expect(workspace.read('apps/a/src/hello.ts')).toBe('export const hello = "world";\n');
    const record = workspace.readJson('.agent-runs/a/write/result.json');
    expect(record).toMatchObject({
      status: 'succeeded',
      provider: 'codex',
      model: MODEL,
      attempts: 1,
      turns: 2,
      tokens: { input: 2_500, output: 55 },
      costSource: 'price-table',
      summary: 'Created apps/a/src/hello.ts exporting hello.',
      filesWritten: ['apps/a/src/hello.ts'],
    });
    expect(record.costUsd).toBeGreaterThan(0);
    expect(result.output).toContain(`tool shell printf '%s' 'export const hello = "world";`);
    expect(result.output).toContain('wrote apps/a/src/hello.ts');
    expect(result.output).toContain('warning: provider "codex" cannot honour "tools" (Read, Write)');

    const [first] = requestsFor('E2E-WRITE');
    expect(first.path).toBe('/v1/responses');
    expect(first.conversation?.userTexts.join('\n')).toContain('E2E-WRITE: do the work described here.');
    expect(first.conversation?.system).toContain(SYSTEM_PROMPT);
    expect(first.model).toBe(MODEL);
    expect(first.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(workspace.read('.agent-runs/a/write/transcript.jsonl')).not.toContain(SECRET);
    expect(result.output).not.toContain(SECRET);
  });

  it('retries a 429 through the task retry (codex retries are off) and succeeds', async () => {
    const result = await workspace.nx(['run', 'a:agent--rate-limited', '--output-style=static'], { env });
    expect(result.code).toBe(0);
    expect(requestsFor('E2E-RATE')).toHaveLength(2);
    expect(workspace.readJson('.agent-runs/a/rate-limited/result.json')).toMatchObject({ status: 'succeeded', attempts: 2, summary: 'Recovered after the rate limit.' });
    expect(result.output).toMatch(/attempt 1 failed \(codex rate limit \(HTTP 429\)/);
  });

  it('fails a 401 at once, without a retry, naming the key variable and never the key', async () => {
    const result = await workspace.nx(['run', 'a:agent--bad-key', '--output-style=static'], { env });
    expect(result.code).not.toBe(0);
    expect(requestsFor('E2E-AUTH')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/bad-key/result.json');
    expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    expect(record.error).toMatch(/codex rejected the credentials \(HTTP 401\): check OPENAI_API_KEY/);
    expect(result.output).toContain('check OPENAI_API_KEY');
    expect(result.output + JSON.stringify(record)).not.toContain(SECRET);
  });

  it('kills codex on timeout: the record says timed-out and no process is left', async () => {
    const marker = `127.0.0.1:${server.port}/v1`;
    const started = Date.now();
    const running = workspace.nx(['run', 'a:agent--hangs', '--output-style=static'], { env });
    // While it hangs the check does see codex (so an empty list later means something).
    let seenClient: string[] = [];
    while (!seenClient.length && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seenClient = requestsFor('E2E-HANG').length ? processesOf(workspace.root, marker).filter((line) => /codex/.test(line)) : [];
    }
    expect(seenClient.length).toBeGreaterThanOrEqual(1);
    const result = await running;
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(requestsFor('E2E-HANG')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/hangs/result.json');
    expect(record).toMatchObject({ status: 'timed-out', attempts: 1 });
    expect(record.error).toMatch(/timed out after 5(\.0)?s/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesOf(workspace.root, marker)).toEqual([]);
  });
});
