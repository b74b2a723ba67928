import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startModelServer, type ModelScript, type ModelServer } from '../../testing/model-server';
import { AgentError, type AgentEvent, type AgentRunRequest } from '../agent-adapter';
import { createAnthropicAgent } from './anthropic-agent';

const KEY = 'sk-ant-test-secret-key';
let workspace: string;
let server: ModelServer | undefined;

beforeEach(() => {
  workspace = mkdtempSync(join(tmpdir(), 'anthropic-agent-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(workspace, { recursive: true, force: true });
});

async function run(script: ModelScript, overrides: Partial<AgentRunRequest> = {}, environment: NodeJS.ProcessEnv = {}) {
  server = await startModelServer(script);
  const events: AgentEvent[] = [];
  const agent = createAnthropicAgent({ environment: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, ...environment } });
  const request: AgentRunRequest = {
    taskId: 't',
    prompt: 'Write hello.txt please',
    systemPrompt: 'You are the coder.',
    model: 'claude-sonnet-4-6',
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

describe('createAnthropicAgent', () => {
  it('runs the tool loop: writes the file, streams, sums tokens over turns and reports the final text', async () => {
    const { result, error, events, requests } = await run(writeHello());
    expect(error).toBeUndefined();
    expect(readFileSync(join(workspace, 'apps/a/hello.txt'), 'utf8')).toBe('hi there');
    expect(result).toEqual({ summary: 'Wrote hello.txt.', model: 'claude-sonnet-4-6', turns: 2, inputTokens: 200, outputTokens: 40, filesWritten: ['apps/a/hello.txt'] });
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
    expect(first.conversation?.userTexts).toEqual(['Write hello.txt please']);
    expect((first.body as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file', 'edit_file', 'list_files']);
    expect(first.headers.authorization ?? first.headers['x-api-key']).toContain(KEY);
    expect(second.conversation?.toolResults).toEqual(['Wrote apps/a/hello.txt (8 bytes).']);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it('counts cached prompt tokens as input', async () => {
    const { result } = await run({ turns: [{ type: 'text', text: 'ok', usage: { inputTokens: 10, cacheReadInputTokens: 50, cacheCreationInputTokens: 5, outputTokens: 3 } }] });
    expect(result).toMatchObject({ inputTokens: 65, outputTokens: 3, turns: 1 });
  });

  it.each([
    { status: 429, retryAfterSeconds: 2, retryable: true, retryAfterMs: 2_000, text: 'rate limit (HTTP 429)' },
    { status: 529, retryable: true, text: 'overloaded (HTTP 529)' },
    { status: 500, retryable: true, text: 'server error (HTTP 500)' },
    { status: 401, retryable: false, text: 'check ANTHROPIC_API_KEY' },
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

  it('sends ANTHROPIC_AUTH_TOKEN when there is no API key, and names it on a 401', async () => {
    const { error, requests } = await run({ turns: [{ type: 'error', status: 401 }] }, {}, { ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: 'token-123456' });
    expect(requests[0].headers.authorization).toBe('Bearer token-123456');
    expect(error?.message).toContain('check ANTHROPIC_AUTH_TOKEN');
  });

  it('fails at once without a key, naming the variables', async () => {
    const { error, requests } = await run(writeHello(), {}, { ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toMatch(/ANTHROPIC_API_KEY.*ANTHROPIC_AUTH_TOKEN/);
    expect(requests).toHaveLength(0);
  });

  it('takes the key and base URL from the profile env over the process env, without changing process.env', async () => {
    const before = { ...process.env };
    server = await startModelServer([{ type: 'text', text: 'ok' }]);
    const agent = createAnthropicAgent({ environment: { ANTHROPIC_API_KEY: 'outer-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' } });
    const result = await agent.run({
      taskId: 't', prompt: 'p', cwd: workspace, projectRoot: '.', attempt: 1, signal: new AbortController().signal, onEvent: () => undefined,
      env: { ANTHROPIC_API_KEY: 'profile-key', ANTHROPIC_BASE_URL: server.url },
    });
    expect(result.summary).toBe('ok');
    expect(server.requests[0].headers.authorization ?? server.requests[0].headers['x-api-key']).toContain('profile-key');
    expect(process.env).toEqual(before);
  });

  it('treats a stream cut part-way as retryable', async () => {
    const { error } = await run({ turns: [{ type: 'text', text: 'a long answer that will not arrive whole', cutAfterChunks: 3 }] });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('cut off');
  });

  it('treats an unreachable server as retryable and names the URL', async () => {
    const { error } = await run({}, {}, { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('could not reach Anthropic at http://127.0.0.1:1');
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
    expect((requests[0].body as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toEqual(['read_file', 'list_files']);
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

  it('maps Claude Code tool names and model aliases, and warns about what it cannot honour', async () => {
    const { requests, events } = await run({ turns: [{ type: 'text', text: 'ok' }] }, { model: 'sonnet', tools: ['Read', 'Write(src/**)', 'Bash'], permissionMode: 'sometimes' });
    expect(requests[0].model).toBe('claude-sonnet-4-6');
    expect((requests[0].body as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file']);
    const warnings = events.filter((event) => event.type === 'status' && event.message.startsWith('warning:')).map((event) => (event as { message: string }).message);
    expect(warnings).toEqual([
      expect.stringContaining('cannot restrict Write to "src/**"'),
      expect.stringContaining('has no tool "Bash"'),
      expect.stringContaining('does not know permissionMode "sometimes"'),
    ]);
  });
});
