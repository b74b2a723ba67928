import type { RunRecord } from '../runs/run-record';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import { estimateTask } from './estimate-task';

const run = (provider: ResolvedTaskRun['agent']['provider'], extra: Partial<ResolvedTaskRun> = {}, model?: string): ResolvedTaskRun => ({
  project: { name: 'app', root: 'apps/app' },
  task: {
    id: 't',
    prompt: 'p',
    dependsOn: [],
    after: [],
    inputs: [],
    outputs: [],
    writes: [],
    retries: 0,
    cache: true,
    file: 'x.agent.md',
    format: 'agent-md',
  },
  agent: { name: provider === 'claude-code' ? 'implementer' : provider, provider, profile: { provider, ...(model ? { model } : {}) } },
  recordFolder: '.agent-runs/app/t',
  warnings: [],
  ...extra,
});
const record = (extra: Partial<RunRecord>): RunRecord => ({
  schemaVersion: 1,
  project: 'app',
  task: 't',
  spec: 'x.agent.md',
  status: 'succeeded',
  agent: 'implementer',
  provider: 'claude-code',
  model: 'claude-sonnet-4-5',
  attempts: 1,
  turns: 3,
  tokens: { input: 1_000_000, output: 100_000 },
  costUsd: null,
  costSource: 'unknown',
  startedAt: '2026-01-01T00:00:00.000Z',
  endedAt: '2026-01-01T00:01:00.000Z',
  durationMs: 60_000,
  summary: '',
  filesWritten: [],
  upstream: [],
  ...extra,
});

describe('estimateTask', () => {
  it('takes the last run record: its duration, tokens, and cost as recorded', () => {
    expect(estimateTask({ run: run('claude-code'), record: record({ costUsd: 1.23 }), options: { estimates: {} } })).toEqual({
      durationMs: 60_000,
      tokens: { input: 1_000_000, output: 100_000 },
      costUsd: 1.23,
      source: 'record',
    });
  });

  it('prices a record that has tokens but no cost with the price table (sonnet: $3 in, $15 out per million)', () => {
    expect(estimateTask({ run: run('claude-code'), record: record({}), options: { estimates: {} } }).costUsd).toBeCloseTo(4.5);
  });

  it('ignores an interrupted run: it says nothing about a whole one', () => {
    expect(estimateTask({ run: run('claude-code'), record: record({ status: 'interrupted' }), options: { estimates: {} } }).source).toBe('provider-default');
  });

  it('without a record: the estimates option for the profile, then for the provider, filled in by the provider default', () => {
    const options = { estimates: { implementer: { duration: 120_000 }, codex: { inputTokens: 10, outputTokens: 0 } } };
    expect(estimateTask({ run: run('claude-code', {}, 'opus'), options })).toEqual({
      durationMs: 120_000,
      tokens: { input: 200_000, output: 10_000 },
      costUsd: (200_000 * 15 + 10_000 * 75) / 1_000_000,
      source: 'estimates-option',
    });
    expect(estimateTask({ run: run('codex'), options })).toMatchObject({ durationMs: 300_000, tokens: { input: 10, output: 0 }, source: 'estimates-option' });
  });

  it('prices a default with the provider’s usual model when the profile names none, and leaves unknown models unknown', () => {
    expect(estimateTask({ run: run('claude-code'), options: { estimates: {} } }).costUsd).toBeCloseTo((200_000 * 3 + 10_000 * 15) / 1_000_000);
    expect(estimateTask({ run: run('openai', {}, 'llama3.1'), options: { estimates: {} } }).costUsd).toBeNull();
  });

  it('the scripted agent takes its script’s duration and costs nothing', () => {
    expect(estimateTask({ run: run('scripted', { script: { duration: 2_500 } }), options: { estimates: {} } })).toEqual({
      durationMs: 2_500,
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      source: 'script',
    });
  });
});
