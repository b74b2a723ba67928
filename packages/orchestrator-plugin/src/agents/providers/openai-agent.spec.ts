import type { AgentRunRequest } from '../agent-adapter';
import { useAgentTestHarness } from '../../testing/agent-test-harness';
import { registerModelApiAgentTests } from '../../testing/model-api-agent-tests';
import type { ModelScript } from '../../testing/model-server';
import { WRITE_HELLO_TASK, writeHelloScript } from '../../testing/write-hello-script';
import { createOpenAiAgent } from './openai-agent';

const KEY = 'sk-openai-test-secret-key';
const MODEL = 'gpt-4.1-mini';
const harness = useAgentTestHarness('openai-agent-');
let workspace: string;

beforeEach(() => {
  workspace = harness.folder();
});

async function run(script: ModelScript, overrides: Partial<AgentRunRequest> = {}, environment: NodeJS.ProcessEnv = {}) {
  const server = await harness.startServer(script);
  const agent = createOpenAiAgent({ env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: `${server.url}/v1`, ...environment } });
  return harness.runAgent(agent, { ...WRITE_HELLO_TASK, model: MODEL, cwd: workspace, ...overrides });
}

describe('createOpenAiAgent', () => {
  registerModelApiAgentTests({
    run,
    workspace: () => workspace,
    model: MODEL,
    key: KEY,
    toolNames: (body) => (body as { tools: Array<{ function: { name: string } }> }).tools.map((tool) => tool.function.name),
    checkFirstRequest: (request) => {
      expect((request.body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    },
    httpErrors: [
      { status: 429, retryAfterSeconds: 2, retryable: true, retryAfterMs: 2_000, text: 'rate limit (HTTP 429)' },
      { status: 503, retryable: true, text: 'overloaded (HTTP 503)' },
      { status: 500, retryable: true, text: 'server error (HTTP 500)' },
      { status: 401, retryable: false, text: 'check OPENAI_API_KEY' },
      { status: 400, retryable: false, text: 'rejected the request (HTTP 400)' },
    ],
  });

  it('counts cached prompt tokens as input (prompt_tokens includes them)', async () => {
    const { result } = await run({
      turns: [{ type: 'text', text: 'ok', usage: { inputTokens: 10, cacheReadInputTokens: 50, cacheCreationInputTokens: 5, outputTokens: 3 } }],
    });
    expect(result).toMatchObject({ inputTokens: 65, outputTokens: 3, turns: 1 });
  });

  it('needs no key for a server on this machine, and fails at once without one elsewhere', async () => {
    const local = await run({ turns: [{ type: 'text', text: 'ok' }] }, {}, { OPENAI_API_KEY: '' });
    expect(local.result?.summary).toBe('ok');
    expect(local.events).toContainEqual({ type: 'status', message: expect.stringContaining('no OPENAI_API_KEY: local server') });
    await harness.server?.close();
    const remote = await run(writeHelloScript(), {}, { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: 'https://api.openai.com/v1' });
    expect(remote.error).toMatchObject({ isRetryable: false });
    expect(remote.error?.message).toContain('set OPENAI_API_KEY');
    expect(remote.error?.message).toContain('OPENAI_BASE_URL');
    expect(remote.requests).toHaveLength(0);
  });

  it('fails at once without a model', async () => {
    const { error, requests } = await run(writeHelloScript(), { model: undefined });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('needs a "model"');
    expect(requests).toHaveLength(0);
  });

  it('takes the key and base URL from the profile env over the process env, without changing process.env', async () => {
    const before = { ...process.env };
    const server = await harness.startServer([{ type: 'text', text: 'ok' }]);
    const agent = createOpenAiAgent({ env: { OPENAI_API_KEY: 'outer-key', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' } });
    const { result } = await harness.runAgent(agent, {
      prompt: 'p',
      model: 'm',
      cwd: workspace,
      projectRoot: '.',
      env: { OPENAI_API_KEY: 'profile-key', OPENAI_BASE_URL: `${server.url}/v1` },
    });
    expect(result?.summary).toBe('ok');
    expect(server.requests[0].headers.authorization).toBe('Bearer profile-key');
    expect(process.env).toEqual(before);
  });

  it('treats an unreachable server as retryable and names the URL', async () => {
    const { error } = await run({}, {}, { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('could not reach OpenAI at http://127.0.0.1:1/v1');
  });
});
