import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { providerContract } from '../utils/provider-contract';

const SYSTEM_PROMPT = 'E2E-SYSTEM-PROMPT: you are the "coder" profile.\nKeep answers short.';
const KEY = 'sk-codex-e2e-secret-key';

/**
 * The real `codex exec` CLI, run by the real Nx executor in a real temp workspace, pointed at
 * the scripted Responses server through OPENAI_BASE_URL + OPENAI_API_KEY: a write, a rate
 * limit, a rejected key and a hang.
 */
describe('provider codex through nx', () => {
  providerContract({
    provider: 'codex',
    errorName: 'codex',
    // A model codex knows (no fallback-metadata warning) and the price table prices (gpt-5*).
    model: 'gpt-5.5',
    systemPrompt: SYSTEM_PROMPT,
    tools: ['Read', 'Write'],
    // Codex writes through a shell command; its own retries are off. Its native binary shows too.
    client: { kind: 'cli', command: 'codex', scriptedAs: 'codex', processMatching: 'codex' },
    keyVariable: 'OPENAI_API_KEY',
    key: KEY,
    costSource: 'price-table',
    toolCallLine: `tool shell printf '%s' 'export const hello = "world";`,
    environment: (server, home) => {
      // CODEX_HOME inside the empty HOME: the user's ~/.codex is never read or written.
      mkdirSync(join(home, '.codex'));
      return { CODEX_HOME: join(home, '.codex'), OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: KEY };
    },
    files: { 'apps/a/src/.gitkeep': '' },
    checkWrite: ({ result, requests: [first] }) => {
      expect(result.output).toContain('warning: provider "codex" cannot honour "tools" (Read, Write)');
      expect(first.path).toBe('/v1/responses');
      expect(first.headers.authorization).toBe(`Bearer ${KEY}`);
    },
  });
});
