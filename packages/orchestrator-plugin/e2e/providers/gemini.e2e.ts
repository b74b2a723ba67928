import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { providerContract } from '../utils/provider-contract';

const KEY = 'gemini-e2e-secret-key';

/**
 * The real `gemini` CLI, run by the real Nx executor in a real temp workspace, against the
 * scripted model server: a write, a rate limit, a rejected key and a hang. HOME is an empty
 * folder: no ~/.gemini/settings.json, so the adapter's per-run settings must be enough.
 */
describe('provider gemini through nx', () => {
  providerContract({
    provider: 'gemini',
    errorName: 'gemini',
    model: 'gemini-2.5-flash',
    systemPrompt: 'E2E-SYSTEM-PROMPT: you are the coder profile.',
    tools: ['Read', 'Write', 'Edit'],
    // The CLI's own retries are off. It may relaunch itself with a bigger heap: one or two processes.
    client: { kind: 'cli', command: 'gemini', scriptedAs: 'gemini', processMatching: 'node_modules/.bin/gemini' },
    keyVariable: 'GEMINI_API_KEY',
    key: KEY,
    // gemini reports no cost: priced from the table.
    costSource: 'price-table',
    toolCallLine: 'tool write_file apps/a/src/hello.ts',
    environment: (server, home) => {
      // TMPDIR inside HOME: gemini leaves an error report there for every failed API call.
      mkdirSync(join(home, 'tmp'));
      return { TMPDIR: join(home, 'tmp'), GOOGLE_GEMINI_BASE_URL: server.url, GEMINI_API_KEY: KEY };
    },
    checkWrite: ({ result, home }) => {
      expect(result.output).toContain('gemini tools: read_file, write_file, replace');
      // The user's folder was never written: the settings lived in a per-run folder.
      expect(existsSync(join(home, '.gemini', 'settings.json'))).toBe(false);
    },
  });
});
