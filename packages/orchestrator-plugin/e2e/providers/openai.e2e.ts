import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, type ModelServer, type RecordedRequest } from '../../src/testing/model-server';
import { createTempWorkspace, type TempWorkspace } from '../utils/temp-workspace';

const SYSTEM_PROMPT = 'E2E-SYSTEM-PROMPT: you are the coder profile.';
const MODEL = 'gpt-4.1-mini';
const KEY = 'sk-openai-e2e-secret-key';

function task(marker: string, frontmatter: string): string {
  return `---\nagent: coder\n${frontmatter}---\n${marker}: do the work described here.\n`;
}

/** Processes this test started: any whose argv names the temp workspace, or whose cwd is it. */
function processesIn(root: string): string[] {
  const byArguments = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => line.includes(root) && !line.includes('ps -eo'));
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
 * An OpenAI-compatible Chat Completions API through the real openai SDK, run by the real Nx
 * executor in a real temp workspace, against the scripted model server: the adapter's own tool
 * loop writes a file; a rate limit, a rejected key and a hang.
 */
describe('provider openai through nx', () => {
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
        'apps/a/tasks/write.agent.md': task('E2E-WRITE', 'retries: 1\ntimeout: 60s\n'),
        'apps/a/tasks/rate-limited.agent.md': task('E2E-RATE', 'retries: 1\ntimeout: 60s\n'),
        'apps/a/tasks/bad-key.agent.md': task('E2E-AUTH', 'retries: 2\ntimeout: 60s\n'),
        'apps/a/tasks/hangs.agent.md': task('E2E-HANG', 'retries: 1\ntimeout: 5s\n'),
        'apps/a/tasks/local.agent.md': task('E2E-LOCAL', 'timeout: 60s\n'),
      },
      {
        analytics: false,
        plugins: [
          {
            plugin: 'nx-agent-orchestrator',
            options: { agents: { coder: { provider: 'openai', model: MODEL, systemPrompt: SYSTEM_PROMPT, tools: ['read_file', 'write_file', 'list_files'], maxTurns: 5 } } },
          },
        ],
      },
    );
    server = await startModelServer({
      rules: [
        {
          when: { userTextIncludes: 'E2E-WRITE' },
          turns: [
            { type: 'tool-call', name: 'write_file', input: { path: 'apps/a/src/hello.ts', content: 'export const hello = "world";\n' }, usage: { inputTokens: 1_200, outputTokens: 40 } },
            { type: 'text', text: 'Created apps/a/src/hello.ts exporting hello.', usage: { inputTokens: 300, cacheReadInputTokens: 1_000, outputTokens: 15 } },
          ],
        },
        { when: { userTextIncludes: 'E2E-RATE' }, turns: [{ type: 'error', status: 429, retryAfterSeconds: 1 }, { type: 'text', text: 'Recovered after the rate limit.' }] },
        { when: { userTextIncludes: 'E2E-AUTH' }, turns: [{ type: 'error', status: 401 }, { type: 'text', text: 'must never be reached' }] },
        { when: { userTextIncludes: 'E2E-HANG' }, turns: [{ type: 'hang' }, { type: 'hang' }] },
        { when: { userTextIncludes: 'E2E-LOCAL' }, turns: [{ type: 'text', text: 'Answered by a local server.' }] },
      ],
    });
    home = mkdtempSync(join(tmpdir(), 'openai-e2e-home-'));
    env = { HOME: home, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: KEY };
  });

  afterAll(async () => {
    await server?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('writes a file through a tool call and records tokens, summary, provider and model', async () => {
    const result = await workspace.nx(['run', 'a:agent--write', '--output-style=static'], { env });
    expect(result.code).toBe(0);
    expect(workspace.read('apps/a/src/hello.ts')).toBe('export const hello = "world";\n');
    const record = workspace.readJson('.agent-runs/a/write/result.json');
    expect(record).toMatchObject({
      status: 'succeeded',
      provider: 'openai',
      model: MODEL,
      attempts: 1,
      turns: 2,
      // prompt_tokens already counts the cached tokens: 1,200 + (300 + 1,000).
      tokens: { input: 2_500, output: 55 },
      costSource: 'price-table',
      summary: 'Created apps/a/src/hello.ts exporting hello.',
      filesWritten: ['apps/a/src/hello.ts'],
    });
    expect(record.costUsd).toBeGreaterThan(0);
    expect(result.output).toContain('turn 2');
    expect(result.output).toContain('tool write_file apps/a/src/hello.ts');
    expect(result.output).toContain('wrote apps/a/src/hello.ts');
    expect(result.output).toContain('tokens so far: 2500 in / 55 out');

    const [first, second] = requestsFor('E2E-WRITE');
    expect(first.conversation?.userTexts.join('\n')).toContain('E2E-WRITE: do the work described here.');
    expect(first.conversation?.system).toBe(SYSTEM_PROMPT);
    expect(first.model).toBe(MODEL);
    expect((first.body as { tools: Array<{ function: { name: string } }> }).tools.map((tool) => tool.function.name)).toEqual(['read_file', 'write_file', 'list_files']);
    expect(first.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(first.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(second.conversation?.toolResults).toEqual(['Wrote apps/a/src/hello.ts (30 bytes).']);
    expect(workspace.read('.agent-runs/a/write/transcript.jsonl') + result.output).not.toContain(KEY);
  });

  it('retries a 429 after its retry-after (the SDK does not retry: the task retry does) and succeeds', async () => {
    const result = await workspace.nx(['run', 'a:agent--rate-limited', '--output-style=static'], { env });
    expect(result.code).toBe(0);
    expect(requestsFor('E2E-RATE')).toHaveLength(2);
    expect(workspace.readJson('.agent-runs/a/rate-limited/result.json')).toMatchObject({ status: 'succeeded', attempts: 2, summary: 'Recovered after the rate limit.' });
    expect(result.output).toMatch(/attempt 1 failed \(OpenAI rate limit \(HTTP 429\).*\); retrying in 1(\.0)?s/);
  });

  it('fails a 401 at once, without a retry, naming the key variable and never the key', async () => {
    const result = await workspace.nx(['run', 'a:agent--bad-key', '--output-style=static'], { env });
    expect(result.code).not.toBe(0);
    expect(requestsFor('E2E-AUTH')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/bad-key/result.json');
    expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    expect(record.error).toMatch(/OpenAI rejected the credentials \(HTTP 401\): check OPENAI_API_KEY/);
    expect(result.output).toContain('check OPENAI_API_KEY');
    expect(result.output + JSON.stringify(record) + workspace.read('.agent-runs/a/bad-key/transcript.jsonl')).not.toContain(KEY);
  });

  it('needs no OPENAI_API_KEY for a server on this machine (Ollama, vLLM, llama.cpp, LM Studio)', async () => {
    const result = await workspace.nx(['run', 'a:agent--local', '--output-style=static'], { env: { ...env, OPENAI_API_KEY: '' } });
    expect(result.code).toBe(0);
    expect(result.output).toContain('no OPENAI_API_KEY: local server');
    expect(workspace.readJson('.agent-runs/a/local/result.json')).toMatchObject({ status: 'succeeded', summary: 'Answered by a local server.' });
    expect(requestsFor('E2E-LOCAL')).toHaveLength(1);
  });

  it('aborts the hung request on timeout: the record says timed-out and no process is left', async () => {
    const started = Date.now();
    const running = workspace.nx(['run', 'a:agent--hangs', '--output-style=static'], { env });
    // While it hangs, the check below does see the run (so an empty list later means something).
    let seen: string[] = [];
    while (!seen.length && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seen = requestsFor('E2E-HANG').length ? processesIn(workspace.root) : [];
    }
    expect(seen.length).toBeGreaterThan(0);
    const result = await running;
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(requestsFor('E2E-HANG')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/hangs/result.json');
    expect(record).toMatchObject({ status: 'timed-out', attempts: 1 });
    expect(record.error).toMatch(/timed out after 5(\.0)?s/);
    expect(record.durationMs).toBeLessThan(15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesIn(workspace.root)).toEqual([]);
  });
});
