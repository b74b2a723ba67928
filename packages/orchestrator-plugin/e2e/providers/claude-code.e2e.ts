import { join } from 'node:path';
import { providerContract } from '../utils/provider-contract';

const KEY = 'sk-ant-e2e-secret-key';

/**
 * The real `claude` CLI, run by the real Nx executor in a real temp workspace, against the
 * scripted model server: a write, a rate limit, a rejected key and a hang.
 */
describe('provider claude-code through nx', () => {
  providerContract({
    provider: 'claude-code',
    errorName: 'claude-code',
    model: 'claude-sonnet-4-5',
    systemPrompt: 'E2E-SYSTEM-PROMPT: you are the coder profile.',
    tools: ['Read', 'Write', 'Edit'],
    client: { kind: 'cli', command: 'claude', scriptedAs: 'claude-code', processMatching: 'node_modules/.bin/claude', processCount: 1 },
    keyVariable: 'ANTHROPIC_API_KEY',
    key: KEY,
    costSource: 'client',
    toolCallLine: 'tool Write apps/a/src/hello.ts',
    environment: (server, home) => ({
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      ANTHROPIC_BASE_URL: server.url,
      ANTHROPIC_API_KEY: KEY,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    }),
  });
});
