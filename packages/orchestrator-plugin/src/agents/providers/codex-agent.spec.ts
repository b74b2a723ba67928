import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgentError, type AgentRunRequest, type AgentWarning } from '../agent-adapter';
import type { RunProcessOptions } from '../process/run-process';
import { startModelServer, writeFileConversation, type ModelScript, type ModelServer, type ModelTurn } from '../../testing/model-server';
import { codexInvocation, createCodexAgent, readSessionModel, tomlString } from './codex-agent';
import { secretRedactor } from '../redact-secrets';
import { agentRunRequest } from '../../testing/agent-run-request';

const HEAD = ['exec', '--json', '--skip-git-repo-check'];
const NO_UPDATE = ['-c', 'check_for_update_on_startup=false'];
const ENDPOINT = (url: string) => [
  '-c',
  'model_provider="openai-base-url"',
  '-c',
  'model_providers.openai-base-url.name="OpenAI-compatible endpoint (OPENAI_BASE_URL)"',
  '-c',
  `model_providers.openai-base-url.base_url="${url}"`,
  '-c',
  'model_providers.openai-base-url.wire_api="responses"',
  '-c',
  'model_providers.openai-base-url.request_max_retries=0',
  '-c',
  'model_providers.openai-base-url.stream_max_retries=0',
  '-c',
  'analytics.enabled=false',
  '-c',
  'features.plugins=false',
];

describe('codexInvocation', () => {
  it.each<[string, Partial<AgentRunRequest>, NodeJS.ProcessEnv, string[], AgentWarning[]]>([
    ['nothing set: workspace-write, codex keeps its own provider config', {}, {}, [...HEAD, '-s', 'workspace-write', ...NO_UPDATE, '-'], []],
    ['the model', { model: 'gpt-5.5' }, {}, [...HEAD, '-s', 'workspace-write', '-m', 'gpt-5.5', ...NO_UPDATE, '-'], []],
    [
      'OPENAI_BASE_URL and a key: a provider with retries off; the key by name only',
      {},
      { OPENAI_BASE_URL: 'http://127.0.0.1:1234/v1/', OPENAI_API_KEY: 'sk-secret' },
      [
        ...HEAD,
        '-s',
        'workspace-write',
        ...NO_UPDATE,
        ...ENDPOINT('http://127.0.0.1:1234/v1'),
        '-c',
        'model_providers.openai-base-url.env_key="OPENAI_API_KEY"',
        '-',
      ],
      [],
    ],
    [
      'OPENAI_BASE_URL without a key: no auth, with a warning',
      {},
      { OPENAI_BASE_URL: 'http://localhost:11434/v1' },
      [...HEAD, '-s', 'workspace-write', ...NO_UPDATE, ...ENDPOINT('http://localhost:11434/v1'), '-'],
      [{ type: 'other', message: 'OPENAI_API_KEY is not set: codex sends no API key to OPENAI_BASE_URL' }],
    ],
    ["an empty OPENAI_BASE_URL keeps codex's own config", {}, { OPENAI_BASE_URL: ' ' }, [...HEAD, '-s', 'workspace-write', ...NO_UPDATE, '-'], []],
    [
      'the system prompt is a developer instruction',
      { systemPrompt: 'Be "brief".\nNo chat.' },
      {},
      [...HEAD, '-s', 'workspace-write', ...NO_UPDATE, '-c', 'developer_instructions="Be \\"brief\\".\\nNo chat."', '-'],
      [],
    ],
    ['plan is read-only', { permissionMode: 'plan' }, {}, [...HEAD, '-s', 'read-only', ...NO_UPDATE, '-'], []],
    ['bypassPermissions drops the sandbox', { permissionMode: 'bypassPermissions' }, {}, [...HEAD, '-s', 'danger-full-access', ...NO_UPDATE, '-'], []],
    ['acceptEdits writes in the workspace', { permissionMode: 'acceptEdits' }, {}, [...HEAD, '-s', 'workspace-write', ...NO_UPDATE, '-'], []],
    ["codex's own sandbox names pass through", { permissionMode: 'read-only' }, {}, [...HEAD, '-s', 'read-only', ...NO_UPDATE, '-'], []],
  ])('%s', (_name, request, env, args, warnings) => {
    const invocation = codexInvocation({ prompt: '-p looks like a flag', ...request }, env);
    expect(invocation.args).toEqual(args);
    expect(invocation.warnings).toEqual(warnings);
    expect(invocation.stdin).toBe('-p looks like a flag');
    expect(invocation.args.join(' ')).not.toContain('sk-secret');
  });

  it('a system prompt too long for argv goes at the start of the prompt', () => {
    const systemPrompt = 'x'.repeat(200_000);
    const invocation = codexInvocation({ prompt: 'task', systemPrompt }, {});
    expect(invocation.args.some((arg) => arg.startsWith('developer_instructions'))).toBe(false);
    expect(invocation.stdin).toBe(`${systemPrompt}\n\ntask`);
    expect(invocation.warnings).toEqual([
      { type: 'other', message: 'the system prompt is too long for a command-line setting; it is sent at the start of the prompt instead' },
    ]);
  });
});

describe('tomlString', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi" \\ there', '"say \\"hi\\" \\\\ there"'],
    ['a\nb\tc\rd', '"a\\nb\\tc\\rd"'],
    ['bell\u0007 del\u007f', '"bell\\u0007 del\\u007f"'],
    ['emoji 🚀 and é', '"emoji 🚀 and é"'],
    ['lone \ud800 surrogate', '"lone \ufffd surrogate"'],
  ])('%j -> %s', (value, expected) => expect(tomlString(value)).toBe(expected));
});

describe('secretRedactor', () => {
  it('hides secret values and URL credentials', () => {
    const redact = secretRedactor({ OPENAI_API_KEY: 'sk-1234567890', HOME: '/root' });
    expect(redact('key sk-1234567890 at https://user:pass@example.com/v1 in /root')).toBe('key [redacted] at https://[redacted]@example.com/v1 in /root');
  });
});

describe('readSessionModel', () => {
  it("reads the model from codex's session file of the thread", () => {
    const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
    const day = join(home, 'sessions', '2026', '11', '24');
    mkdirSync(day, { recursive: true });
    writeFileSync(join(day, 'rollout-2026-11-24T07-48-05-other.jsonl'), '{"type":"turn_context","payload":{"model":"wrong"}}\n');
    writeFileSync(
      join(day, 'rollout-2026-11-24T07-48-05-thread-1.jsonl'),
      '{"type":"session_meta","payload":{}}\n{"type":"turn_context","payload":{"model":"gpt-6.1-sol"}}\n',
    );
    expect(readSessionModel({ CODEX_HOME: home }, 'thread-1')).toBe('gpt-6.1-sol');
    expect(readSessionModel({ CODEX_HOME: home }, 'thread-2')).toBeUndefined();
    expect(readSessionModel({ CODEX_HOME: join(home, 'missing') }, 'thread-1')).toBeUndefined();
    expect(readSessionModel({ CODEX_HOME: home }, undefined)).toBeUndefined();
    rmSync(home, { recursive: true, force: true });
  });
});

const request = agentRunRequest;

describe('createCodexAgent with a stand-in process', () => {
  it('starts codex in the workspace with the merged env and the prompt on stdin, and never mutates the env', async () => {
    let seen: RunProcessOptions | undefined;
    const env = { PATH: '/bin', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'sk-secret-value' };
    const agent = createCodexAgent({
      env,
      findExecutable: () => '/usr/bin/codex',
      runProcess: async (options) => {
        seen = options;
        options.onStdoutLine?.('{"type":"thread.started","thread_id":"t1"}');
        options.onStdoutLine?.('{"type":"turn.started"}');
        options.onStderrLine?.('WARNING: proceeding, even though we could not create PATH aliases');
        options.onStderrLine?.('oops sk-secret-value');
        options.onStdoutLine?.('{"type":"item.completed","item":{"id":"a","type":"agent_message","text":"done"}}');
        options.onStdoutLine?.('{"type":"turn.completed","usage":{"input_tokens":5,"output_tokens":2}}');
        return { exitCode: 0, signal: null, aborted: false, stdout: '', stderrTail: '' };
      },
    });
    const input = request({ env: { EXTRA: 'yes' }, model: 'gpt-5.5', attempt: 2 });
    await expect(agent.run(input)).resolves.toEqual({
      summary: 'done',
      model: 'gpt-5.5',
      turns: 1,
      inputTokens: 5,
      outputTokens: 2,
      filesWritten: [],
      warnings: [],
      sessionId: 't1',
    });
    expect(seen).toMatchObject({ command: '/usr/bin/codex', cwd: '/workspace', stdin: 'Write the file', env: { ...env, EXTRA: 'yes' } });
    expect(env).toEqual({ PATH: '/bin', OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: 'sk-secret-value' });
    expect(JSON.stringify(input.events)).not.toContain('sk-secret-value');
    expect(input.events).toContainEqual({
      type: 'status',
      message: 'running codex exec -s workspace-write -m gpt-5.5 against http://127.0.0.1:9/v1 (attempt 2)',
    });
    expect(input.events).toContainEqual({ type: 'status', message: 'codex: oops [redacted]' });
    expect(input.events.filter((event) => event.type === 'status' && event.message.includes('PATH aliases'))).toEqual([]);
  });

  it('a missing codex fails at once with the install command', async () => {
    const agent = createCodexAgent({ env: { PATH: '' }, findExecutable: jest.requireActual('../process/find-executable').findExecutable });
    await expect(agent.run(request({ cwd: tmpdir() }))).rejects.toThrow('codex not found on PATH or in node_modules/.bin: npm i -D @openai/codex');
  });
});

const CODEX = resolve(__dirname, '../../../../../node_modules/.bin/codex');
/** The model @openai/codex 0.169 (the version this repo pins) picks when it is given none. */
const CODEX_DEFAULT_MODEL = 'gpt-6.1-sol';
const describeWithCodex = existsSync(CODEX) ? describe : describe.skip;

/** The real codex CLI against the scripted Responses server, with CODEX_HOME in a temp folder. */
describeWithCodex('createCodexAgent with the real codex CLI', () => {
  jest.setTimeout(60_000);
  let server: ModelServer | undefined;
  let workspace: string;
  let codexHome: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'codex-agent-workspace-'));
    codexHome = mkdtempSync(join(tmpdir(), 'codex-agent-home-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    rmSync(workspace, { recursive: true, force: true });
    rmSync(codexHome, { recursive: true, force: true });
  });

  async function runCodex(script: ModelScript | ModelTurn[], overrides: Partial<AgentRunRequest> = {}, env: NodeJS.ProcessEnv = {}) {
    server = await startModelServer(script);
    const input = request({ cwd: workspace, ...overrides });
    const agent = createCodexAgent({
      findExecutable: () => CODEX,
      env: {
        PATH: process.env.PATH,
        HOME: codexHome,
        CODEX_HOME: codexHome,
        OPENAI_BASE_URL: `${server.url}/v1`,
        OPENAI_API_KEY: 'sk-test-secret-key',
        ...env,
      },
    });
    const outcome = await agent.run(input).then(
      (result) => ({ result, error: undefined }),
      (error: AgentError) => ({ result: undefined, error }),
    );
    return { ...outcome, events: input.events, requests: server.requests.filter((recorded) => recorded.route !== 'health') };
  }

  it('writes a file through a shell command; the system prompt and the prompt reach the model', async () => {
    mkdirSync(join(workspace, 'notes'));
    const systemPrompt = 'SYSTEM-MARKER: say "done" \\ when finished.\nSecond line: é 🚀';
    const { result, error, events, requests } = await runCodex(
      writeFileConversation({ client: 'codex', filePath: 'notes/out.txt', content: 'hello from codex', summary: 'Wrote notes/out.txt' }),
      { systemPrompt, prompt: 'TASK-MARKER: write notes/out.txt' },
    );
    expect(error).toBeUndefined();
    expect(readFileSync(join(workspace, 'notes/out.txt'), 'utf8')).toBe('hello from codex');
    // The scripted model's default usage: 100 in / 20 out per response, two responses.
    expect(result).toEqual({
      summary: 'Wrote notes/out.txt',
      model: CODEX_DEFAULT_MODEL,
      turns: 2,
      inputTokens: 200,
      outputTokens: 40,
      filesWritten: ['notes/out.txt'],
      warnings: [],
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // The profile names no model: the adapter read codex's choice from its session file of
    // this thread, and it is the model codex asked the server for.
    expect(requests.map((recorded) => recorded.model)).toEqual([CODEX_DEFAULT_MODEL, CODEX_DEFAULT_MODEL]);
    expect(readSessionModel({ CODEX_HOME: codexHome }, result?.sessionId)).toBe(CODEX_DEFAULT_MODEL);
    expect(readSessionModel({ CODEX_HOME: codexHome }, 'another-thread')).toBeUndefined();
    expect(requests).toHaveLength(2);
    expect(requests[0].conversation?.system).toContain(systemPrompt);
    expect(requests[0].conversation?.userTexts.at(-1)).toBe('TASK-MARKER: write notes/out.txt');
    expect(requests[0].headers.authorization).toBe('Bearer sk-test-secret-key');
    expect(events).toContainEqual({ type: 'file', path: 'notes/out.txt' });
    expect(events).toContainEqual({ type: 'turn', turn: 2 });
    expect(events).toContainEqual({ type: 'usage', inputTokens: 200, outputTokens: 40 });
    expect(JSON.stringify(events)).not.toContain('sk-test-secret-key');
  });

  it('401: one request, not retryable, the message names OPENAI_API_KEY and hides the key', async () => {
    const { error, requests } = await runCodex([{ type: 'error', status: 401, message: 'Incorrect API key provided: sk-test-secret-key' }]);
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ isRetryable: false, statusCode: 401 });
    expect(error?.message).toContain('check OPENAI_API_KEY');
    expect(error?.message).not.toContain('sk-test-secret-key');
    expect(requests).toHaveLength(1);
  });

  it.each<[string, ModelTurn[], number | undefined]>([
    ['429: codex does not retry; the caller may', [{ type: 'error', status: 429, retryAfterSeconds: 1 }], 429],
    ['500', [{ type: 'error', status: 500 }], undefined],
    ['503', [{ type: 'error', status: 503 }], 503],
    ['a stream cut mid-reply', [{ type: 'text', text: 'a long answer that never arrives whole', cutAfterChunks: 3 }], undefined],
  ])('%s: retryable after exactly one request', async (_name, script, statusCode) => {
    const { error, requests } = await runCodex(script);
    expect(error).toMatchObject({ isRetryable: true, statusCode });
    expect(requests).toHaveLength(1);
  });

  it('an unreachable endpoint: codex would wait forever; the adapter stops it and says so (retryable)', async () => {
    const started = Date.now();
    const { error } = await runCodex([], {}, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('codex could not reach http://127.0.0.1:9/v1');
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(leftoverProcesses('127.0.0.1:9/v1')).toEqual([]);
  });

  it('maxTurns: codex is stopped when it starts one turn too many', async () => {
    const { error, requests } = await runCodex(writeFileConversation({ client: 'codex', filePath: 'a.txt', content: 'a', summary: 'done' }), { maxTurns: 1 });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('codex reached maxTurns (1)');
    expect(requests).toHaveLength(2);
  });

  it('plan runs in the read-only sandbox: nothing is written', async () => {
    const { result, requests } = await runCodex(writeFileConversation({ client: 'codex', filePath: 'blocked.txt', content: 'x', summary: 'tried' }), {
      permissionMode: 'plan',
    });
    expect(existsSync(join(workspace, 'blocked.txt'))).toBe(false);
    expect(result?.filesWritten).toEqual([]);
    expect(JSON.stringify(requests[1].conversation?.toolResults)).toContain('Read-only file system');
  });

  it('no OPENAI_API_KEY: no Authorization header, a warning', async () => {
    const { result, events, requests } = await runCodex([{ type: 'text', text: 'hi' }], {}, { OPENAI_API_KEY: undefined });
    expect(result?.summary).toBe('hi');
    expect(requests[0].headers.authorization).toBeUndefined();
    expect(result?.warnings).toEqual([{ type: 'other', message: 'OPENAI_API_KEY is not set: codex sends no API key to OPENAI_BASE_URL' }]);
    expect(events).toContainEqual({
      type: 'warning',
      warning: { type: 'other', message: 'OPENAI_API_KEY is not set: codex sends no API key to OPENAI_BASE_URL' },
    });
  });

  it('an abort (timeout, Ctrl-C) stops codex and every process it started', async () => {
    const controller = new AbortController();
    server = await startModelServer([{ type: 'hang' }]);
    const port = String(server.port);
    const hung = server;
    const waitForRequest = (async () => {
      while (!hung.requests.some((recorded) => recorded.route !== 'health')) await new Promise((done) => setTimeout(done, 100));
      controller.abort();
    })();
    const agent = createCodexAgent({
      findExecutable: () => CODEX,
      env: { PATH: process.env.PATH, HOME: codexHome, CODEX_HOME: codexHome, OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'k' },
    });
    await expect(agent.run(request({ cwd: workspace, signal: controller.signal }))).rejects.toThrow('codex was stopped');
    await waitForRequest;
    expect(leftoverProcesses(`127.0.0.1:${port}/v1`)).toEqual([]);
  });
});

/** Processes whose command line mentions `marker`, other than this check itself. */
function leftoverProcesses(marker: string): string[] {
  return execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -eo'));
}
