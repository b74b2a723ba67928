import type { AgentRunRequest } from '../agent-adapter';
import { useAgentTestHarness } from '../../testing/agent-test-harness';
import { registerModelApiAgentTests } from '../../testing/model-api-agent-tests';
import type { ModelScript } from '../../testing/model-server';
import { WRITE_HELLO_TASK, writeHelloScript } from '../../testing/write-hello-script';
import { createAnthropicAgent } from './anthropic-agent';

const KEY = 'sk-ant-test-secret-key';
const MODEL = 'claude-sonnet-4-6';
const harness = useAgentTestHarness('anthropic-agent-');
let workspace: string;

beforeEach(() => {
  workspace = harness.folder();
});

async function run(script: ModelScript, overrides: Partial<AgentRunRequest> = {}, environment: NodeJS.ProcessEnv = {}) {
  const server = await harness.startServer(script);
  const agent = createAnthropicAgent({ env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: server.url, ...environment } });
  return harness.runAgent(agent, { ...WRITE_HELLO_TASK, model: MODEL, cwd: workspace, ...overrides });
}

describe('createAnthropicAgent', () => {
  registerModelApiAgentTests({
    run,
    workspace: () => workspace,
    model: MODEL,
    modelAlias: { alias: 'sonnet', model: MODEL },
    key: KEY,
    toolNames: (body) => (body as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name),
    checkFirstRequest: (request) => expect(request.headers.authorization ?? request.headers['x-api-key']).toContain(KEY),
    httpErrors: [
      { status: 429, retryAfterSeconds: 2, retryable: true, retryAfterMs: 2_000, text: 'rate limit (HTTP 429)' },
      { status: 529, retryable: true, text: 'overloaded (HTTP 529)' },
      { status: 500, retryable: true, text: 'server error (HTTP 500)' },
      { status: 401, retryable: false, text: 'check ANTHROPIC_API_KEY' },
      { status: 400, retryable: false, text: 'rejected the request (HTTP 400)' },
    ],
  });

  it('counts cached prompt tokens as input', async () => {
    const { result } = await run({
      turns: [{ type: 'text', text: 'ok', usage: { inputTokens: 10, cacheReadInputTokens: 50, cacheCreationInputTokens: 5, outputTokens: 3 } }],
    });
    expect(result).toMatchObject({ inputTokens: 65, outputTokens: 3, turns: 1 });
  });

  it('sends ANTHROPIC_AUTH_TOKEN when there is no API key, and names it on a 401', async () => {
    const { error, requests } = await run({ turns: [{ type: 'error', status: 401 }] }, {}, { ANTHROPIC_API_KEY: '', ANTHROPIC_AUTH_TOKEN: 'token-123456' });
    expect(requests[0].headers.authorization).toBe('Bearer token-123456');
    expect(error?.message).toContain('check ANTHROPIC_AUTH_TOKEN');
  });

  it('fails at once without a key, naming the variables', async () => {
    const { error, requests } = await run(writeHelloScript(), {}, { ANTHROPIC_API_KEY: undefined, ANTHROPIC_AUTH_TOKEN: undefined });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toMatch(/ANTHROPIC_API_KEY.*ANTHROPIC_AUTH_TOKEN/);
    expect(requests).toHaveLength(0);
  });

  it('takes the key and base URL from the profile env over the process env, without changing process.env', async () => {
    const before = { ...process.env };
    const server = await harness.startServer([{ type: 'text', text: 'ok' }]);
    const agent = createAnthropicAgent({ env: { ANTHROPIC_API_KEY: 'outer-key', ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' } });
    const { result } = await harness.runAgent(agent, {
      prompt: 'p',
      cwd: workspace,
      projectRoot: '.',
      env: { ANTHROPIC_API_KEY: 'profile-key', ANTHROPIC_BASE_URL: server.url },
    });
    expect(result?.summary).toBe('ok');
    expect(server.requests[0].headers.authorization ?? server.requests[0].headers['x-api-key']).toContain('profile-key');
    expect(process.env).toEqual(before);
  });

  it('treats an unreachable server as retryable and names the URL', async () => {
    const { error } = await run({}, {}, { ANTHROPIC_BASE_URL: 'http://127.0.0.1:1' });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('could not reach Anthropic at http://127.0.0.1:1');
  });
});
