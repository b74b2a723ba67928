import { agentTask, providerContract } from '../utils/provider-contract';

const KEY = 'sk-openai-e2e-secret-key';

/**
 * An OpenAI-compatible Chat Completions API through the real openai SDK, run by the real Nx
 * executor in a real temp workspace, against the scripted model server: the adapter's own tool
 * loop writes a file; a rate limit, a rejected key, a hang, and a local server without a key.
 */
describe('provider openai through nx', () => {
  const provider = providerContract({
    provider: 'openai',
    errorName: 'OpenAI',
    model: 'gpt-4.1-mini',
    systemPrompt: 'E2E-SYSTEM-PROMPT: you are the coder profile.',
    tools: ['read_file', 'write_file', 'list_files'],
    // The SDK does not retry: the task retry does.
    client: { kind: 'sdk' },
    keyVariable: 'OPENAI_API_KEY',
    key: KEY,
    costSource: 'price-table',
    toolCallLine: 'tool write_file apps/a/src/hello.ts',
    environment: (server) => ({ OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: KEY }),
    files: { 'apps/a/tasks/local.agent.md': agentTask('E2E-LOCAL', 'timeout: 60s\n') },
    rules: [{ when: { userTextIncludes: 'E2E-LOCAL' }, turns: [{ type: 'text', text: 'Answered by a local server.' }] }],
    checkWrite: ({ requests: [first] }) => {
      expect((first.body as { tools: Array<{ function: { name: string } }> }).tools.map((tool) => tool.function.name)).toEqual([
        'read_file',
        'write_file',
        'list_files',
      ]);
      expect(first.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
      expect(first.headers.authorization).toBe(`Bearer ${KEY}`);
    },
  });

  it('needs no OPENAI_API_KEY for a server on this machine (Ollama, vLLM, llama.cpp, LM Studio)', async () => {
    const result = await provider.run('local', { ...provider.env, OPENAI_API_KEY: '' });
    expect(result.code).toBe(0);
    expect(result.output).toContain('no OPENAI_API_KEY: local server');
    expect(provider.workspace.readJson('.agent-runs/a/local/result.json')).toMatchObject({ status: 'succeeded', summary: 'Answered by a local server.' });
    expect(provider.requestsFor('E2E-LOCAL')).toHaveLength(1);
  });
});
