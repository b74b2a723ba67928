import { formatDuration } from '../task-spec/duration';
import { DEFAULT_PLUGIN_OPTIONS, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import { AgentError, type AgentRunRequest, type AgentRunResult } from './agent-adapter';
import { MAX_TIMER_MS } from './run-agent-task';
import { fakeSuccess, fakeTask, useFakeAgentRuns } from '../testing/fake-agent-runs';

const OPTIONS: NormalizedPluginOptions = {
  ...DEFAULT_PLUGIN_OPTIONS,
  agents: {
    implementer: { provider: 'anthropic', model: 'claude-sonnet-4', tools: ['Read'] },
    coder: { provider: 'codex', model: 'gpt-5', tools: ['Read', 'Write'], systemPrompt: 'Code.' },
    shell: { provider: 'command', command: ['my-agent'], model: 'any', systemPrompt: 'Be brief.' },
  },
};
const runs = useFakeAgentRuns(OPTIONS);

const rateLimited = (usage?: AgentError['usage']) =>
  new AgentError('Anthropic rate limit (HTTP 429)', { isRetryable: true, statusCode: 429, retryAfterMs: 2, usage });

describe('runAgentTask: every attempt is listed and paid for', () => {
  it('tokens and cost of a failed attempt count, and the record lists each attempt', async () => {
    const { adapter } = runs.fakeAdapter([
      async () => Promise.reject(rateLimited({ inputTokens: 300, outputTokens: 40, costUsd: 0.01 })),
      async () => fakeSuccess({ inputTokens: 1_000, outputTokens: 200, costUsd: 0.25 }),
    ]);
    const { record, log } = await runs.run(adapter);
    expect(record).toMatchObject({ status: 'succeeded', attempts: 2, tokens: { input: 1_300, output: 240 }, costUsd: 0.26, costSource: 'client' });
    expect(record.attemptHistory).toEqual([
      { attempt: 1, outcome: 'failed', error: 'Anthropic rate limit (HTTP 429)', tokens: { input: 300, output: 40 }, costUsd: 0.01, durationMs: 5_000 },
      { attempt: 2, outcome: 'succeeded', tokens: { input: 1_000, output: 200 }, costUsd: 0.25, durationMs: 5_000 },
    ]);
    expect(log).toContain('done in 10.0s · 4 turns · 1300 tokens in / 240 out (340 of them in failed attempts) · $0.2600 · wrote 1 file');
  });

  it('a failed attempt without a cost is priced from the table by the model asked for; one that reported nothing counts nothing', async () => {
    const { adapter } = runs.fakeAdapter([
      async () => Promise.reject(rateLimited({ inputTokens: 1_000_000, outputTokens: 0 })),
      async () => Promise.reject(new AgentError('connection refused', { isRetryable: true })),
      async () => Promise.reject(new AgentError('HTTP 401', { isRetryable: false })),
    ]);
    const { record } = await runs.run(adapter);
    expect(record).toMatchObject({ status: 'failed', attempts: 3, tokens: { input: 1_000_000, output: 0 }, costUsd: 3, costSource: 'price-table' });
    expect(record.attemptHistory?.map((attempt) => [attempt.outcome, attempt.tokens.input])).toEqual([
      ['failed', 1_000_000],
      ['failed', 0],
      ['failed', 0],
    ]);
  });

  it('a retry-after that would pass the timeout fails now, saying why, instead of sleeping into the timeout', async () => {
    const { adapter, requests } = runs.fakeAdapter([
      async () => Promise.reject(new AgentError('overloaded', { isRetryable: true, statusCode: 529, retryAfterMs: 50_000 })),
    ]);
    const started = Date.now();
    const { record } = await runs.run(adapter, { task: fakeTask({ timeoutMs: 30_000 }) });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(requests).toHaveLength(1);
    expect(record.status).toBe('failed');
    expect(record.error).toMatch(/^overloaded\n {2}not retried: waiting \d.* would pass the task's timeout$/);
  });

  it('the attempt hooks see every attempt and each rate limit with its retry-after', async () => {
    const { adapter } = runs.fakeAdapter([async () => Promise.reject(rateLimited()), async () => fakeSuccess()]);
    const seen: string[] = [];
    await runs.run(adapter, {
      attemptHooks: {
        beforeAttempt: async (attempt) => void seen.push(`attempt ${attempt}`),
        onRateLimited: ({ retryAfterMs }) => void seen.push(`rate limited, retry after ${retryAfterMs}ms`),
      },
    });
    expect(seen).toEqual(['attempt 1', 'rate limited, retry after 2ms', 'attempt 2']);
  });
});

describe('runAgentTask: the run limits around each attempt', () => {
  it('afterAttempt hears every attempt with its own spend, a rate limit with its retry-after, in order with beforeAttempt', async () => {
    const { adapter } = runs.fakeAdapter([
      async () => Promise.reject(rateLimited({ inputTokens: 300, outputTokens: 40, costUsd: 0.01 })),
      async () => Promise.reject(new AgentError('connection reset', { isRetryable: true })),
      async () => fakeSuccess({ inputTokens: 1_000, outputTokens: 200, costUsd: 0.25 }),
    ]);
    const seen: unknown[] = [];
    const { record } = await runs.run(adapter, {
      attemptHooks: {
        beforeAttempt: async (attempt) => void seen.push(`before ${attempt}`),
        afterAttempt: ({ startedAt, ...outcome }) => void seen.push({ ...outcome, started: typeof startedAt }),
      },
    });
    expect(record.status).toBe('succeeded');
    expect(seen).toEqual([
      'before 1',
      { attempt: 1, succeeded: false, rateLimited: { retryAfterMs: 2 }, spend: { costUsd: 0.01, tokens: 340 }, started: 'number' },
      'before 2',
      { attempt: 2, succeeded: false, spend: { costUsd: 0, tokens: 0 }, started: 'number' },
      'before 3',
      { attempt: 3, succeeded: true, spend: { costUsd: 0.25, tokens: 1_200 }, started: 'number' },
    ]);
  });

  it('a beforeAttempt that refuses (the run budget is spent) ends the task without another attempt', async () => {
    const { adapter, requests } = runs.fakeAdapter([async () => Promise.reject(rateLimited()), async () => fakeSuccess()]);
    const { record } = await runs.run(adapter, {
      attemptHooks: {
        beforeAttempt: async (attempt) => {
          if (attempt > 1) throw new Error('not retried: run budget spent ($1.0200 of $1.00)');
        },
      },
    });
    expect(requests).toHaveLength(1);
    expect(record.status).toBe('failed');
    expect(record.error).toContain('not retried: run budget spent ($1.0200 of $1.00)');
  });

  it("passes the task's maxCost / maxTokens less what earlier attempts spent, and makes no attempt once they are spent", async () => {
    const { adapter, requests } = runs.fakeAdapter([
      async () => Promise.reject(rateLimited({ inputTokens: 1_000, outputTokens: 0, costUsd: 0.2 })),
      async () => fakeSuccess({ costUsd: 0.1 }),
    ]);
    const { record } = await runs.run(adapter, { task: fakeTask({ maxCost: 0.5, maxTokens: 5_000 }) });
    expect(record.status).toBe('succeeded');
    expect(requests.map((request) => request.budget)).toEqual([
      { maxCostUsd: 0.5, maxTokens: 5_000 },
      { maxCostUsd: expect.closeTo(0.3, 10), maxTokens: 4_000 },
    ]);

    const spent = runs.fakeAdapter([async () => Promise.reject(rateLimited({ inputTokens: 100, outputTokens: 0, costUsd: 0.6 })), async () => fakeSuccess()]);
    const { record: over } = await runs.run(spent.adapter, { task: fakeTask({ maxCost: 0.5 }) });
    expect(spent.requests).toHaveLength(1);
    expect(over.error).toContain("not retried: the task's maxCost $0.50 is spent");
  });

  it('a provider whose client cannot stop itself gets no budget (it is checked after the run)', async () => {
    const { adapter, requests } = runs.fakeAdapter([async () => fakeSuccess()], 'codex');
    await runs.run(adapter, { task: fakeTask({ agent: 'coder', maxCost: 0.5 }) });
    expect(requests[0].budget).toBeUndefined();
  });
});

describe('runAgentTask: a timeout longer than the longest timer', () => {
  it('600h is clamped to the longest timer, said once, and the task runs normally', async () => {
    const { adapter } = runs.fakeAdapter([() => new Promise<AgentRunResult>((resolve) => setTimeout(() => resolve(fakeSuccess()), 30))]);
    const { record, log } = await runs.run(adapter, { task: fakeTask({ timeoutMs: 600 * 3_600_000 }) });
    expect(record.status).toBe('succeeded');
    expect(log.filter((line) => line.includes('longest timer'))).toEqual([
      `  timeout ${formatDuration(600 * 3_600_000)} is longer than the longest timer Node supports: using ${formatDuration(MAX_TIMER_MS)}`,
    ]);
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
  });
});

describe('runAgentTask: settings the provider does not honour', () => {
  it('are warned once (graph time), recorded as typed warnings, and never reach the adapter', async () => {
    const { adapter, requests } = runs.fakeAdapter(
      [
        async (request: AgentRunRequest) => {
          request.onEvent({ type: 'warning', warning: { type: 'other', message: 'OPENAI_API_KEY is not set' } });
          request.onEvent({ type: 'warning', warning: { type: 'other', message: 'OPENAI_API_KEY is not set' } });
          return fakeSuccess();
        },
      ],
      'codex',
    );
    const { record, log } = await runs.run(adapter, { task: fakeTask({ agent: 'coder' }) });
    expect(requests[0]).toMatchObject({ model: 'gpt-5', systemPrompt: 'Code.' });
    expect(requests[0].tools).toBeUndefined();
    expect(record.warnings).toEqual([
      { type: 'unsupported-setting', setting: 'tools', details: 'codex chooses its own tools; the sandbox (permissionMode) limits what they may do' },
      { type: 'other', message: 'OPENAI_API_KEY is not set' },
    ]);
    expect(log.filter((line) => line.includes('warning:'))).toEqual([
      '  warning: provider "codex" cannot honour "tools" (Read, Write): codex chooses its own tools; the sandbox (permissionMode) limits what they may do',
      '  warning: OPENAI_API_KEY is not set',
    ]);
  });

  it('provider options travel apart from the shared settings', async () => {
    const { adapter, requests } = runs.fakeAdapter([async () => fakeSuccess()], 'command');
    const { record } = await runs.run(adapter, { task: fakeTask({ agent: 'shell' }) });
    expect(requests[0].providerOptions).toEqual({ command: { argv: ['my-agent'] } });
    expect([requests[0].model, requests[0].systemPrompt]).toEqual([undefined, undefined]);
    expect(record.warnings?.map((warning) => warning.type === 'unsupported-setting' && warning.setting)).toEqual(['model', 'systemPrompt']);
  });
});
