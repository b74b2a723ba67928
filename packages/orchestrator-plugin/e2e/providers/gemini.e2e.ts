import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startModelServer, writeFileConversation, type ModelServer, type RecordedRequest } from '../../src/testing/model-server';
import { createTempWorkspace, type TempWorkspace } from '../utils/temp-workspace';

const SYSTEM_PROMPT = 'E2E-SYSTEM-PROMPT: you are the coder profile.';
const MODEL = 'gemini-2.5-flash';
const API_KEY = 'gemini-e2e-secret-key';

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
 * The real `gemini` CLI, run by the real Nx executor in a real temp workspace, against the
 * scripted model server: a write, a rate limit, a rejected key and a hang. HOME is an empty
 * folder: no ~/.gemini/settings.json, so the adapter's per-run settings must be enough.
 */
describe('provider gemini through nx', () => {
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
      },
      {
        analytics: false,
        plugins: [{ plugin: 'nx-agent-orchestrator', options: { agents: { coder: { provider: 'gemini', model: MODEL, systemPrompt: SYSTEM_PROMPT, tools: ['Read', 'Write', 'Edit'], maxTurns: 5 } } } }],
      },
    );
    server = await startModelServer({
      rules: [
        {
          when: { userTextIncludes: 'E2E-WRITE' },
          turns: writeFileConversation({
            client: 'gemini',
            filePath: join(workspace.root, 'apps/a/src/hello.ts'),
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
    home = mkdtempSync(join(tmpdir(), 'gemini-e2e-home-'));
    // node_modules/.bin left off PATH: the executor must find gemini in the workspace's own
    // node_modules/.bin, so every process it starts names the workspace path.
    const path = (process.env.PATH ?? '').split(delimiter).filter((folder) => !folder.includes('node_modules')).join(delimiter);
    // TMPDIR inside HOME: gemini leaves an error report there for every failed API call.
    mkdirSync(join(home, 'tmp'));
    env = { PATH: path, HOME: home, TMPDIR: join(home, 'tmp'), GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: API_KEY };
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
      provider: 'gemini',
      model: MODEL,
      attempts: 1,
      turns: 2,
      tokens: { input: 2_500, output: 55 },
      // gemini reports no cost: priced from the table.
      costSource: 'price-table',
      summary: 'Created apps/a/src/hello.ts exporting hello.',
      filesWritten: ['apps/a/src/hello.ts'],
    });
    expect(record.costUsd).toBeGreaterThan(0);
    expect(result.output).toContain('tool write_file apps/a/src/hello.ts');
    expect(result.output).toContain('wrote apps/a/src/hello.ts');
    expect(result.output).toContain('gemini tools: read_file, write_file, replace');

    const [first] = requestsFor('E2E-WRITE');
    expect(first.conversation?.userTexts.join('\n')).toContain('E2E-WRITE: do the work described here.');
    expect(first.conversation?.system).toContain(SYSTEM_PROMPT);
    expect(first.model).toBe(MODEL);
    expect(workspace.read('.agent-runs/a/write/transcript.jsonl')).not.toContain(API_KEY);
    // The user's folder was never written: the settings lived in a per-run folder.
    expect(existsSync(join(home, '.gemini', 'settings.json'))).toBe(false);
  });

  it('retries a 429 through the task retry (the CLI\'s own retries are off) and succeeds', async () => {
    const result = await workspace.nx(['run', 'a:agent--rate-limited', '--output-style=static'], { env });
    expect(result.code).toBe(0);
    expect(requestsFor('E2E-RATE')).toHaveLength(2);
    expect(workspace.readJson('.agent-runs/a/rate-limited/result.json')).toMatchObject({ status: 'succeeded', attempts: 2, summary: 'Recovered after the rate limit.' });
    expect(result.output).toMatch(/attempt 1 failed \(gemini rate limit \(HTTP 429\)/);
  });

  it('fails a 401 at once, without a retry, naming the key variable and never the key', async () => {
    const result = await workspace.nx(['run', 'a:agent--bad-key', '--output-style=static'], { env });
    expect(result.code).not.toBe(0);
    expect(requestsFor('E2E-AUTH')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/bad-key/result.json');
    expect(record).toMatchObject({ status: 'failed', attempts: 1 });
    expect(record.error).toMatch(/gemini rejected the credentials \(HTTP 401\): check GEMINI_API_KEY/);
    expect(result.output).toContain('check GEMINI_API_KEY');
    expect(result.output + JSON.stringify(record)).not.toContain(API_KEY);
  });

  it('kills gemini on timeout: the record says timed-out and no process is left', async () => {
    const started = Date.now();
    const running = workspace.nx(['run', 'a:agent--hangs', '--output-style=static'], { env });
    // While it hangs, the check below does see the client (so an empty list later means something).
    let seenClient: string[] = [];
    while (!seenClient.length && Date.now() - started < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      seenClient = processesIn(workspace.root).filter((line) => line.includes('node_modules/.bin/gemini'));
    }
    expect(seenClient).toHaveLength(1);
    const result = await running;
    expect(result.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(requestsFor('E2E-HANG')).toHaveLength(1);
    const record = workspace.readJson('.agent-runs/a/hangs/result.json');
    expect(record).toMatchObject({ status: 'timed-out', attempts: 1 });
    expect(record.error).toMatch(/timed out after 5(\.0)?s/);
    // The group was killed before the executor returned; give the kernel a moment to reap.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(processesIn(workspace.root)).toEqual([]);
  });
});
