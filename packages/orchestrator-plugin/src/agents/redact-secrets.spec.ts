import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import type { TaskSpec } from '../task-spec/schema';
import type { AgentAdapter } from './agent-adapter';
import { secretRedactor } from './redact-secrets';
import { runAgentTask } from './run-agent-task';
import { resolvedRun } from '../testing/resolved-run';

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
});

describe('runAgentTask keeps secrets out of everything it writes', () => {
  it('even when the adapter leaks one into an event, the summary and an error', async () => {
    const secret = 'profile-secret-token-42';
    const workspaceRoot = mkdtempSync(join(tmpdir(), 'redact-'));
    const lines: string[] = [];
    const leaky: AgentAdapter = {
      provider: 'command',
      run: async (request) => {
        request.onEvent({ type: 'status', message: `using ${request.env?.SERVICE_TOKEN}` });
        return { summary: `done with ${secret}`, model: 'm', turns: 1, inputTokens: 1, outputTokens: 1, filesWritten: [] };
      },
    };
    const task: TaskSpec = {
      id: 't',
      prompt: 'do',
      dependsOn: [],
      after: [],
      inputs: [],
      outputs: [],
      writes: [],
      retries: 0,
      cache: true,
      file: 'a/t.agent.md',
      format: 'agent-md',
      agent: 'leaky',
    };
    const options = normalizePluginOptions({ agents: { leaky: { provider: 'command', command: ['x'], env: { SERVICE_TOKEN: secret } } } });
    const record = await runAgentTask({
      workspaceRoot,
      run: resolvedRun(task, options, { name: 'a', root: 'a' }),
      upstream: [],
      signal: new AbortController().signal,
      log: (line) => lines.push(line),
      createAdapter: () => leaky,
    });
    expect(record.status).toBe('succeeded');
    expect(record.summary).toBe('done with [redacted]');
    const written = [
      lines.join('\n'),
      readFileSync(join(workspaceRoot, '.agent-runs/a/t/result.json'), 'utf8'),
      readFileSync(join(workspaceRoot, '.agent-runs/a/t/transcript.jsonl'), 'utf8'),
    ];
    for (const text of written) {
      expect(text).not.toContain(secret);
      expect(text).toContain('[redacted]');
    }
  });
});
