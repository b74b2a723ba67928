import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startModelServer, type ModelServer } from '../src/testing/model-server';
import { filesBelow, startCacheServer, storedEntries, type RunningCacheServer } from './utils/cache-server';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/** One secret of each kind, each in a variable whose name marks it as a secret. */
const SECRETS = {
  plain: { variable: 'SECRETS_PLAIN_TOKEN', value: 'plain-e2e-secret-4f1c9a7b' },
  escaped: { variable: 'SECRETS_ESCAPED_API_KEY', value: 'sk-e2e-"quoted"-\\back\\slash-77' },
  multiLine: {
    variable: 'SECRETS_PEM_PRIVATE_KEY',
    value:
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\nVJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDu\n-----END PRIVATE KEY-----',
  },
  boundary: { variable: 'SECRETS_BOUNDARY_TOKEN', value: 'boundary-e2e-secret-0123456789abcdef' },
  unicode: { variable: 'SECRETS_UNICODE_PASSWORD', value: 'пароль-e2e-秘密-🔑-5150' },
};
const CACHE_TOKEN = 'secrets-table-cache-token';
/** How far into the boundary secret the kept tail of the output starts (the summary keeps 4,000 characters, an error 1,000). */
const CUT_INTO = 20;

/**
 * A `command` agent that prints every secret the ways agents do: as written, inside a JSON
 * line (escaped), a PEM key line by line, and the boundary secret placed so that the kept tail
 * of its output starts in the middle of it. With `fail` it prints them on stderr and exits 1.
 */
const LEAKY_AGENT = `
const env = process.env;
const secrets = ${JSON.stringify(Object.values(SECRETS).map((secret) => secret.variable))}.map((name) => env[name]);
const out = process.argv[2] === 'fail' ? process.stderr : process.stdout;
const keep = process.argv[2] === 'fail' ? 1000 : 4000;
for (const secret of secrets) {
  out.write('as written: ' + secret + '\\n');
  out.write(JSON.stringify({ type: 'echo', text: secret }) + '\\n');
}
const boundary = env.${SECRETS.boundary.variable};
out.write(boundary + ' ' + 'z'.repeat(keep - (boundary.length - ${CUT_INTO}) - 1));
process.exit(process.argv[2] === 'fail' ? 1 : 0);
`;

/** Every piece of a secret that must never be seen: whole, JSON-escaped, \u-escaped, line by line, and the halves a cut leaves. */
function leakForms(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  const ascii = escaped.replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const lines = secret.split('\n').filter((line) => line.length >= 8);
  return [...new Set([secret, escaped, ascii, ...lines, secret.slice(CUT_INTO), secret.slice(0, CUT_INTO)])].filter((form) => form.length >= 8);
}

/**
 * The secrets table: each kind of secret (plain, with characters JSON escapes, multi-line, cut
 * at the boundary of what is kept, unicode) through every channel a run writes (the terminal,
 * the run record, the transcript, the run summary, the local cache and the remote cache
 * entries, gunzipped), from a command agent and from the real claude CLI against the scripted
 * model server: 0 hits.
 */
describe('secrets table: no secret of any kind in any channel', () => {
  let workspace: TempWorkspace;
  let models: ModelServer;
  let cache: RunningCacheServer;
  let home: string;
  let output: string;

  beforeAll(async () => {
    workspace = createTempWorkspace(
      {
        'tools/leaky-agent.js': LEAKY_AGENT,
        'apps/p/project.json': { name: 'p' },
        'apps/p/tasks/command-leaks.agent.md': '---\nagent: leaky\nretries: 0\ntimeout: 60s\n---\nLeak everything.\n',
        'apps/p/tasks/command-fails.agent.md': '---\nagent: leaky-failing\nretries: 0\ntimeout: 60s\n---\nLeak and fail.\n',
        'apps/p/tasks/claude-leaks.agent.md': '---\nagent: coder\nretries: 0\ntimeout: 90s\n---\nE2E-SECRETS: repeat what you know.\n',
      },
      {
        analytics: false,
        plugins: [
          {
            plugin: 'nx-agent-orchestrator',
            options: {
              agents: {
                leaky: { provider: 'command', command: ['node', 'tools/leaky-agent.js'] },
                'leaky-failing': { provider: 'command', command: ['node', 'tools/leaky-agent.js', 'fail'] },
                coder: { provider: 'claude-code', model: 'claude-sonnet-4-5', maxTurns: 2 },
              },
            },
          },
        ],
      },
    );
    const everySecret = Object.values(SECRETS)
      .map((secret) => secret.value)
      .join('\nand ');
    models = await startModelServer({ rules: [{ when: { userTextIncludes: 'E2E-SECRETS' }, turns: [{ type: 'text', text: `I know:\n${everySecret}` }] }] });
    cache = await startCacheServer(workspace, CACHE_TOKEN);
    home = mkdtempSync(join(tmpdir(), 'nx-agent-secrets-table-home-'));
    const result = await workspace.nx(['run-many', '-t', 'agent', '--output-style=static', '--verbose'], {
      env: {
        ...Object.fromEntries(Object.values(SECRETS).map((secret) => [secret.variable, secret.value])),
        ...cache.env,
        // The claude in the workspace's node_modules names the workspace in its process; PATH without it finds it there too.
        PATH: (process.env.PATH ?? '')
          .split(delimiter)
          .filter((folder) => !folder.includes('node_modules'))
          .join(delimiter),
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: models.url,
        ANTHROPIC_API_KEY: 'sk-ant-secrets-table-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      },
    });
    output = result.output;
    // The failing task fails the run; the two others succeed and are cached.
    expect(result.code).not.toBe(0);
  });

  afterAll(async () => {
    cache?.stop();
    await models?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('every task ran and met the secrets: the agents printed them, the model answered with them', () => {
    const record = (task: string) => workspace.readJson(`.agent-runs/p/${task}/result.json`);
    expect(record('command-leaks')).toMatchObject({ status: 'succeeded', summary: expect.stringContaining('[redacted]') });
    expect(record('command-leaks').summary.length).toBeGreaterThan(3_900);
    expect(record('command-fails')).toMatchObject({ status: 'failed', error: expect.stringContaining('[redacted]') });
    expect(record('claude-leaks')).toMatchObject({ status: 'succeeded', summary: expect.stringContaining('I know:\n[redacted]') });
    expect(models.requests.some((request) => request.conversation?.userTexts.some((text) => text.includes('E2E-SECRETS')))).toBe(true);
  });

  const channels = (): Array<{ channel: string; content: string | Buffer }> => [
    { channel: 'terminal', content: output },
    ...filesBelow(join(workspace.root, '.agent-runs')).map((file) => ({ channel: file.replace(workspace.root, ''), content: readFileSync(file) })),
    ...filesBelow(join(workspace.root, '.nx', 'cache')).map((file) => ({ channel: file.replace(workspace.root, ''), content: readFileSync(file) })),
    ...storedEntries(cache.store).map((entry) => ({ channel: `remote cache entry ${entry.name}`, content: entry.content })),
  ];

  it('the channels exist: records, transcripts, the run summary, local and remote cache entries', () => {
    const names = channels().map((entry) => entry.channel);
    for (const expected of [
      /command-leaks\/result\.json$/,
      /claude-leaks\/transcript\.jsonl$/,
      /summary\.json$/,
      /terminalOutputs\//,
      /^remote cache entry /,
    ]) {
      expect(names.some((name) => expected.test(name))).toBe(true);
    }
    expect(storedEntries(cache.store).length).toBeGreaterThanOrEqual(2);
  });

  it.each(Object.entries(SECRETS))('a %s secret: 0 hits in every channel', (_kind, secret) => {
    const hits = channels().flatMap(({ channel, content }) =>
      leakForms(secret.value)
        .filter((form) => content.includes(form))
        .map((form) => `${channel}: ${JSON.stringify(form)}`),
    );
    expect(hits).toEqual([]);
  });
});
