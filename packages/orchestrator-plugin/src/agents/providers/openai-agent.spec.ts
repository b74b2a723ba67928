import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, type ModelScript, type ModelServer } from '../../testing/model-server';
import { AgentError, type AgentEvent, type AgentRunRequest } from '../agent-adapter';
import { createOpenAiAgent } from './openai-agent';

const KEY = 'sk-openai-test-secret-key';
let workspace: string;
let server: ModelServer | undefined;

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'openai-agent-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(workspace, { recursive: true, force: true });
});

async function run(script: ModelScript, overrides: Partial<AgentRunRequest> = {}, environment: NodeJS.ProcessEnv = {}) {
  server = await startModelServer(script);
  const events: AgentEvent[] = [];
  const agent = createOpenAiAgent({ environment: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.url}/v1`, ...environment } });
  const request: AgentRunRequest = {
    taskId: 't',
    prompt: 'Write hello.txt please',
    systemPrompt: 'You are the coder.',
    model: 'gpt-4.1-mini',
    cwd: workspace,
    projectRoot: 'apps/a',
    attempt: 1,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    ...overrides,
  };
  const outcome = await agent.run(request).then(
    (result) => ({ result, error: undefined }),
    (error: AgentError) => ({ result: undefined, error }),
  );
  return { ...outcome, events, requests: server.requests.filter((recorded) => recorded.route === 'generate') };
}

const writeHello = (path = 'apps/a/hello.txt'): ModelScript => ({
  turns: [
    { type: 'tool-call', name: 'write_file', input: { path, content: 'hi there' }, text: 'Writing it.' },
    { type: 'text', text: 'Wrote hello.txt.' },
  ],
});

describe('createOpenAiAgent', () => {
  it('runs the tool loop: writes the file, streams, sums tokens over turns and reports the final text', async () => {
    const { result, error, events, requests } = await run(writeHello());
    expect(error).toBeUndefined();
    expect(readFileSync(join(workspace, 'apps/a/hello.txt'), 'utf8')).toBe('hi there');
    expect(result).toEqual({ summary: 'Wrote hello.txt.', model: 'gpt-4.1-mini', turns: 2, inputTokens: 200, outputTokens: 40, filesWritten: ['apps/a/hello.txt'] });
    expect(events.filter((event) => event.type !== 'status')).toEqual([
      { type: 'turn', turn: 1 },
      { type: 'usage', inputTokens: 100, outputTokens: 20 },
      { type: 'text', text: 'Writing it.' },
      { type: 'tool', name: 'write_file', detail: 'apps/a/hello.txt' },
      { type: 'file', path: 'apps/a/hello.txt' },
      { type: 'turn', turn: 2 },
      { type: 'usage', inputTokens: 200, outputTokens: 40 },
      { type: 'text', text: 'Wrote hello.txt.' },
    ]);
    expect(requests).toHaveLength(2);
    const [first, second] = requests;
    expect(first.stream).toBe(true);
    expect(first.conversation?.system).toBe('You are the coder.');
    expect((first.body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    expect(first.conversation?.userTexts).toEqual(['Write hello.txt please']);
    expect(toolNames(first.body)).toEqual(['read_file', 'write_file', 'edit_file', 'list_files']);
    expect(first.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(second.conversation?.toolResults).toEqual(['Wrote apps/a/hello.txt (8 bytes).']);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('counts cached prompt tokens as input (prompt_tokens includes them)', async () => {
    const { result } = await run({ turns: [{ type: 'text', text: 'ok', usage: { inputTokens: 10, cacheReadInputTokens: 50, cacheCreationInputTokens: 5, outputTokens: 3 } }] });
    expect(result).toMatchObject({ inputTokens: 65, outputTokens: 3, turns: 1 });
  });

  it.each([
    { status: 429, retryAfterSeconds: 2, retryable: true, retryAfterMs: 2_000, text: 'rate limit (HTTP 429)' },
    { status: 503, retryable: true, text: 'overloaded (HTTP 503)' },
    { status: 500, retryable: true, text: 'server error (HTTP 500)' },
    { status: 401, retryable: false, text: 'check OPENAI_API_KEY' },
    { status: 400, retryable: false, text: 'rejected the request (HTTP 400)' },
  ])('maps HTTP $status to an AgentError (retryable: $retryable) after exactly one request', async ({ status, retryAfterSeconds, retryable, retryAfterMs, text }) => {
    const { error, requests } = await run({ turns: [{ type: 'error', status, retryAfterSeconds, message: 'scripted failure' }] });
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ isRetryable: retryable, statusCode: status, retryAfterMs });
    expect(error?.message).toContain(text);
    expect(error?.message).toContain('scripted failure');
    expect(error?.message).not.toContain(KEY);
    expect(requests).toHaveLength(1);
  });

  it('needs no key for a server on this machine, and fails at once without one elsewhere', async () => {
    const local = await run({ turns: [{ type: 'text', text: 'ok' }] }, {}, { OPENAI_API_KEY: '' });
    expect(local.result?.summary).toBe('ok');
    expect(local.events).toContainEqual({ type: 'status', message: expect.stringContaining('no OPENAI_API_KEY: local server') });
    await server?.close();
    const remote = await run(writeHello(), {}, { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: 'https://api.openai.com/v1' });
    expect(remote.error).toMatchObject({ isRetryable: false });
    expect(remote.error?.message).toContain('set OPENAI_API_KEY');
    expect(remote.error?.message).toContain('OPENAI_BASE_URL');
    expect(remote.requests).toHaveLength(0);
  });

  it('fails at once without a model', async () => {
    const { error, requests } = await run(writeHello(), { model: undefined });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('needs a "model"');
    expect(requests).toHaveLength(0);
  });

  it('takes the key and base URL from the profile env over the process env, without changing process.env', async () => {
    const before = { ...process.env };
    server = await startModelServer([{ type: 'text', text: 'ok' }]);
    const agent = createOpenAiAgent({ environment: { OPENAI_API_KEY: 'outer-key', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } });
    const result = await agent.run({
      taskId: 't', prompt: 'p', model: 'm', cwd: workspace, projectRoot: '.', attempt: 1, signal: new AbortController().signal, onEvent: () => undefined,
      env: { OPENAI_API_KEY: 'profile-key', OPENAI_BASE_URL: `${server.url}/v1` },
    });
    expect(result.summary).toBe('ok');
    expect(server.requests[0].headers.authorization).toBe('Bearer profile-key');
    expect(process.env).toEqual(before);
  });

  it('treats a stream cut part-way as retryable', async () => {
    const { error } = await run({ turns: [{ type: 'text', text: 'a long answer that will not arrive whole', cutAfterChunks: 3 }] });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('cut off');
  });

  it('treats an unreachable server as retryable and names the URL', async () => {
    const { error } = await run({}, {}, { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('could not reach OpenAI at http://127.0.0.1:1/v1');
  });

  it('stops a hung request at once on abort, as a final error', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const { error, requests } = await run({ turns: [{ type: 'hang' }] }, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('aborted');
    expect(requests).toHaveLength(1);
  });

  it('fails without retry at maxTurns, before running the last tool calls', async () => {
    const { error } = await run(writeHello(), { maxTurns: 1 });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('reached maxTurns (1)');
    expect(existsSync(join(workspace, 'apps/a/hello.txt'))).toBe(false);
  });

  it('offers no write tool in plan mode and refuses a write the model attempts anyway', async () => {
    const { result, requests, events } = await run(writeHello(), { permissionMode: 'plan' });
    expect(toolNames(requests[0].body)).toEqual(['read_file', 'list_files']);
    expect(requests[1].conversation?.toolResults[0]).toContain('tool "write_file" is not available');
    expect(existsSync(join(workspace, 'apps/a/hello.txt'))).toBe(false);
    expect(result?.filesWritten).toEqual([]);
    expect(events).toContainEqual({ type: 'status', message: expect.stringContaining('write_file failed') });
  });

  it('refuses a path outside the workspace and lets the model carry on', async () => {
    const { result, requests } = await run(writeHello('../escape.txt'));
    expect(requests[1].conversation?.toolResults[0]).toContain('outside the workspace');
    expect(existsSync(join(workspace, '../escape.txt'))).toBe(false);
    expect(result?.summary).toBe('Wrote hello.txt.');
  });

  it('maps Claude Code tool names and warns about what it cannot honour', async () => {
    const { requests, events } = await run({ turns: [{ type: 'text', text: 'ok' }] }, { tools: ['Read', 'Write(src/**)', 'Bash'], permissionMode: 'sometimes' });
    expect(requests[0].model).toBe('gpt-4.1-mini');
    expect(toolNames(requests[0].body)).toEqual(['read_file', 'write_file']);
    const warnings = events.filter((event) => event.type === 'status' && event.message.startsWith('warning:')).map((event) => (event as { message: string }).message);
    expect(warnings).toEqual([
      expect.stringContaining('cannot restrict Write to "src/**"'),
      expect.stringContaining('has no tool "Bash"'),
      expect.stringContaining('does not know permissionMode "sometimes"'),
    ]);
  });
});

function toolNames(body: unknown): string[] {
  return (body as { tools: Array<{ function: { name: string } }> }).tools.map((tool) => tool.function.name);
}
