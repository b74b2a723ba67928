import { providerContract } from '../utils/provider-contract';

const KEY = 'sk-ant-e2e-secret-key';

/**
 * The Anthropic Messages API through the real @anthropic-ai/sdk, run by the real Nx executor
 * in a real temp workspace, against the scripted model server: the adapter's own tool loop
 * writes a file; a rate limit, a rejected key and a hang.
 */
describe('provider anthropic through nx', () => {
  providerContract({
    provider: 'anthropic',
    errorName: 'Anthropic',
    model: 'claude-sonnet-4-6',
    systemPrompt: 'E2E-SYSTEM-PROMPT: you are the coder profile.',
    tools: ['read_file', 'write_file', 'list_files'],
    // The SDK does not retry: the task retry does.
    client: { kind: 'sdk' },
    keyVariable: 'ANTHROPIC_API_KEY',
    key: KEY,
    costSource: 'price-table',
    toolCallLine: 'tool write_file apps/a/src/hello.ts',
    environment: (server) => ({ ANTHROPIC_BASE_URL: server.url, ANTHROPIC_API_KEY: KEY, ANTHROPIC_AUTH_TOKEN: '' }),
    checkWrite: ({ requests: [first] }) => {
      expect((first.body as { tools: Array<{ name: string }> }).tools.map((tool) => tool.name)).toEqual(['read_file', 'write_file', 'list_files']);
    },
  });
});
