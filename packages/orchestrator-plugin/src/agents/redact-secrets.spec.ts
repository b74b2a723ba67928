import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import { defineAgentAdapter } from './agent-adapter';
import { redactDeep, secretRedactor } from './redact-secrets';
import { runAgentTask } from './run-agent-task';
import { fakeTask } from '../testing/fake-agent-runs';
import { resolvedRun } from '../testing/resolved-run';

/** The kinds of secret the secrets table covers, each as an environment variable. */
const SECRETS = {
  plain: 'plain-secret-0123456789',
  escaped: 'sk-"quoted"\\back\\slash-0123',
  multiLine: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----',
  unicode: 'пароль-秘密-🔑-0123456789',
};
const ENV = { PLAIN_API_KEY: SECRETS.plain, ESCAPED_TOKEN: SECRETS.escaped, PEM_PRIVATE_KEY: SECRETS.multiLine, UNICODE_PASSWORD: SECRETS.unicode };

/** Every piece of `secret` that must never be seen: the whole, each line of 8+ characters, and its JSON-escaped form. */
function leakForms(secret: string): string[] {
  const lines = secret.split('\n').filter((line) => line.length >= 8);
  return [secret, ...lines, JSON.stringify(secret).slice(1, -1)];
}

describe('secretRedactor', () => {
  it.each([
    {
      name: 'a key variable',
      env: { ANTHROPIC_API_KEY: 'sk-ant-123456789' },
      text: 'sent sk-ant-123456789 twice: sk-ant-123456789',
      expected: 'sent [redacted] twice: [redacted]',
    },
    { name: 'a token, longest first', env: { A_TOKEN: 'abcdefgh', B_TOKEN: 'abcdefghij' }, text: 'abcdefghij', expected: '[redacted]' },
    { name: 'short values are left (too common to be secrets)', env: { KEY: 'short' }, text: 'short', expected: 'short' },
    { name: 'non-secret names are left', env: { HOME: '/home/someone' }, text: '/home/someone', expected: '/home/someone' },
    { name: 'URL credentials', env: {}, text: 'http://user:pass@host:1/v1', expected: 'http://[redacted]@host:1/v1' },
  ])('$name', ({ env, text, expected }) => {
    expect(secretRedactor(env)(text)).toBe(expected);
  });

  const redact = secretRedactor(ENV);
  it.each(Object.entries(SECRETS))('a %s secret leaves nothing, as written, JSON-escaped, \\u-escaped, line by line or in an object', (_kind, secret) => {
    const asciiJson = JSON.stringify(secret).replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const channels = [
      redact(`the key is ${secret}.`),
      redact(JSON.stringify({ text: secret })),
      redact(asciiJson),
      ...secret.split('\n').map((line) => redact(`> ${line}`)),
      JSON.stringify(redactDeep({ nested: [{ text: `x ${secret} y` }] }, redact)),
    ];
    for (const text of channels) for (const form of leakForms(secret)) expect(text).not.toContain(form);
  });
});

describe('runAgentTask keeps secrets out of everything it writes', () => {
  let workspaceRoot: string;
  beforeEach(() => (workspaceRoot = mkdtempSync(join(tmpdir(), 'redact-'))));
  afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  it.each(Object.entries(SECRETS))('a %s secret the adapter leaks into events, the summary and an error', async (_kind, secret) => {
    const lines: string[] = [];
    const leaky = defineAgentAdapter({
      provider: 'command',
      run: async (request) => {
        request.onEvent({ type: 'status', message: `using ${secret}` });
        request.onEvent({ type: 'text', text: `echo: ${secret}` });
        request.onEvent({ type: 'warning', warning: { type: 'other', message: `warned with ${secret}` } });
        return { summary: `done with ${secret}`, model: 'm', turns: 1, inputTokens: 1, outputTokens: 1, filesWritten: [] };
      },
    });
    const options = normalizePluginOptions({ agents: { leaky: { provider: 'command', command: ['x'], env: { SERVICE_TOKEN: secret } } } });
    const record = await runAgentTask({
      workspaceRoot,
      run: resolvedRun(fakeTask({ id: 't', agent: 'leaky', retries: 0 }), options, { name: 'a', root: 'a' }),
      upstream: [],
      signal: new AbortController().signal,
      log: (line) => lines.push(line),
      createAdapter: () => leaky,
      env: {},
    });
    expect(record.status).toBe('succeeded');
    expect(record.summary).toBe('done with [redacted]');
    const written = {
      terminal: lines.join('\n'),
      record: readFileSync(join(workspaceRoot, '.agent-runs/a/t/result.json'), 'utf8'),
      transcript: readFileSync(join(workspaceRoot, '.agent-runs/a/t/transcript.jsonl'), 'utf8'),
    };
    for (const [channel, text] of Object.entries(written)) {
      for (const form of leakForms(secret)) expect({ channel, leaked: text.includes(form) }).toEqual({ channel, leaked: false });
      expect(text).toContain('[redacted]');
    }
  });
});
