import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PLUGIN_OPTIONS, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import type { TaskSpec } from '../task-spec/schema';
import { AgentError, type AgentRunRequest, type AgentRunResult } from './agent-adapter';
import type { RunAgentTaskRequest } from './run-agent-task';
import { runRecordFolder, TRANSCRIPT_FILE } from '../runs/run-folders';
import { writeRunRecord, type RunRecord } from '../runs/run-record';
import { fakeSuccess as succeed, fakeTask as task, useFakeAgentRuns, waitForAbort } from '../testing/fake-agent-runs';

const OPTIONS: NormalizedPluginOptions = {
  ...DEFAULT_PLUGIN_OPTIONS,
  agents: { implementer: { provider: 'anthropic', model: 'claude-sonnet-4', systemPrompt: 'Implement.', tools: ['Read'], env: { A: '1' } } },
};

const runs = useFakeAgentRuns(OPTIONS);
const fakeAdapter = (...behaviours: Array<(request: AgentRunRequest) => Promise<AgentRunResult>>) => runs.fakeAdapter(behaviours);
const run = runs.run;

describe('runAgentTask with a fake adapter', () => {
  it('a success: the record, the request the adapter got, the transcript and the log', async () => {
    const { adapter, requests } = fakeAdapter(async (request) => {
      request.onEvent({ type: 'tool', name: 'Write', detail: 'apps/api/src/a.ts' });
      return succeed({ costUsd: 0.25 });
    });
    const { record, log, transcript } = await run(adapter, { task: task({ inputs: ['apps/api/docs/api.md'] }) });
    expect(record).toEqual({
      schemaVersion: 1,
      project: 'api',
      task: 'write-api',
      spec: 'apps/api/write-api.agent.md',
      status: 'succeeded',
      agent: 'implementer',
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      attempts: 1,
      turns: 4,
      tokens: { input: 1_000, output: 200 },
      costUsd: 0.25,
      costSource: 'client',
      startedAt: '2025-03-01T10:00:00.000Z',
      endedAt: '2025-03-01T10:00:05.000Z',
      durationMs: 5_000,
      summary: 'Wrote 3 endpoints.',
      filesWritten: ['apps/api/src/a.ts'],
      upstream: [],
      attemptHistory: [{ attempt: 1, outcome: 'succeeded', tokens: { input: 1_000, output: 200 }, costUsd: 0.25, durationMs: 5_000 }],
      warnings: [],
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      taskId: 'write-api',
      systemPrompt: 'Implement.',
      model: 'claude-sonnet-4',
      tools: ['Read'],
      env: { A: '1' },
      cwd: runs.workspaceRoot,
      projectRoot: 'apps/api',
      attempt: 1,
    });
    expect(requests[0].prompt).toBe('Write the API.\n\n## Context files\nRead these before you start:\n- apps/api/docs/api.md');
    expect(transcript.map((entry) => entry.type)).toEqual(['prompt', 'event', 'result']);
    expect(transcript[0]).toMatchObject({ systemPrompt: 'Implement.', prompt: requests[0].prompt });
    expect(transcript[2]).toMatchObject({ type: 'result', status: 'succeeded' });
    expect(log).toEqual([
      'api:write-api · agent implementer (anthropic, claude-sonnet-4)',
      '  tool Write apps/api/src/a.ts',
      'done in 5.0s · 4 turns · 1000 tokens in / 200 out · $0.2500 · wrote 1 file',
      'summary: Wrote 3 endpoints.',
    ]);
  });

  it.each<[string, Partial<AgentRunResult>, Pick<RunRecord, 'costUsd' | 'costSource'>]>([
    ['the client reported a cost', { costUsd: 0.1234 }, { costUsd: 0.1234, costSource: 'client' }],
    ['the client reported zero', { costUsd: 0 }, { costUsd: 0, costSource: 'client' }],
    [
      'no client cost: the price table by model',
      { model: 'claude-sonnet-4', inputTokens: 1_000_000, outputTokens: 1_000_000 },
      { costUsd: 18, costSource: 'price-table' },
    ],
    ['a model the table does not know: unknown, not free', { model: 'llama3.1:8b' }, { costUsd: null, costSource: 'unknown' }],
    ['no model at all: unknown', { model: '' }, { costUsd: null, costSource: 'unknown' }],
  ])('cost: %s', async (_name, result, expected) => {
    const { record, log } = await run(fakeAdapter(async () => succeed(result)).adapter);
    expect({ costUsd: record.costUsd, costSource: record.costSource }).toEqual(expected);
    if (expected.costUsd === null) expect(log).toContainEqual(expect.stringContaining('cost unknown'));
  });

  it('a transient failure then a success: attempts 2', async () => {
    const { adapter, requests } = fakeAdapter(
      async () => {
        throw new AgentError('overloaded (HTTP 529)', { isRetryable: true, statusCode: 529 });
      },
      async () => succeed(),
    );
    const { record, log } = await run(adapter);
    expect(record).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(requests.map((request) => request.attempt)).toEqual([1, 2]);
    expect(log).toContainEqual(expect.stringMatching(/^ {2}attempt 1 failed \(overloaded \(HTTP 529\)\); retrying in \d+ms$/));
    expect(log).toContain('  attempt 2 of 3');
  });

  it.each<[string, Partial<TaskSpec>, AgentError, { attempts: number; error: string }]>([
    [
      'a permanent error fails at once',
      {},
      new AgentError('HTTP 401: check the key', { isRetryable: false }),
      { attempts: 1, error: 'HTTP 401: check the key' },
    ],
    [
      'transient errors beyond the retries fail, listing each attempt',
      { retries: 1 },
      new AgentError('HTTP 503', { isRetryable: true }),
      { attempts: 2, error: 'failed after 2 attempts:\n  attempt 1: HTTP 503\n  attempt 2: HTTP 503' },
    ],
  ])('%s', async (_name, taskOverrides, error, expected) => {
    const { record } = await run(fakeAdapter(async () => Promise.reject(error)).adapter, { task: task(taskOverrides) });
    // The model the profile asked for is recorded even though no answer named one.
    expect(record).toMatchObject({
      status: 'failed',
      ...expected,
      model: 'claude-sonnet-4',
      costUsd: null,
      costSource: 'unknown',
      summary: '',
      filesWritten: [],
    });
  });

  it.each<[string, (request: AgentRunRequest) => Promise<AgentRunResult>]>([
    ['an adapter that stops on the signal', waitForAbort],
    [
      'an adapter that ignores the signal and succeeds late',
      (request) => new Promise((resolve) => request.signal.addEventListener('abort', () => setTimeout(() => resolve(succeed()), 10))),
    ],
  ])('timed-out: %s', async (_name, behaviour) => {
    const { record, transcript } = await run(fakeAdapter(behaviour).adapter, { task: task({ timeoutMs: 50 }) });
    expect(record).toMatchObject({ status: 'timed-out', error: 'timed out after 50ms (timeout in apps/api/write-api.agent.md)', attempts: 1 });
    expect(transcript[transcript.length - 1]).toMatchObject({ type: 'result', status: 'timed-out' });
  });

  // Each case gets the controller behind the run's signal (Ctrl-C) to abort from inside the agent.
  it.each<[string, (stop: AbortController) => Partial<RunAgentTaskRequest>, (stop: AbortController) => (request: AgentRunRequest) => Promise<AgentRunResult>]>([
    [
      'the run signal aborts while the agent works',
      (stop) => ({ signal: stop.signal }),
      (stop) => (request) => (setTimeout(() => stop.abort(), 10), waitForAbort(request)),
    ],
    ['a stop arrives as the agent succeeds', () => ({ stopRequested: () => true }), () => async () => succeed()],
    ['a stop that aborted the agent\'s children, which then "succeeded"', (stop) => ({ signal: stop.signal }), (stop) => async () => (stop.abort(), succeed())],
    [
      'the run signal aborts during a transient failure: no retry',
      (stop) => ({ signal: stop.signal }),
      (stop) => async () => {
        stop.abort();
        throw new AgentError('HTTP 503', { isRetryable: true });
      },
    ],
  ])('interrupted, never succeeded: %s', async (_name, arrange, behaviour) => {
    const stop = new AbortController();
    const { adapter, requests } = fakeAdapter(behaviour(stop));
    const { record } = await run(adapter, arrange(stop));
    expect(record.status).toBe('interrupted');
    expect(requests).toHaveLength(1);
  });

  // A stop kills process trees deepest first, so a CLI's exit 0 can come a moment before the stop reaches this process:
  // the check is told when the agent's process ended, and is told of none for an agent that runs in this process.
  it.each<[string, boolean, Array<Array<{ msSinceChildProcessExit?: number }>>]>([
    ['an agent that runs a process: its exit, on the run clock', false, [[{ msSinceChildProcessExit: 0 }]]],
    ['an agent that runs in this process: no child process to wait for', true, [[{}]]],
  ])('the stop check before a success is told of the last child process exit: %s', async (_name, runsInProcess, calls) => {
    const { adapter } = fakeAdapter(async () => succeed());
    const stopRequested = jest.fn(() => false);
    const { record } = await run({ ...adapter, runsInProcess }, { stopRequested });
    expect(record.status).toBe('succeeded');
    expect(stopRequested.mock.calls).toEqual(calls);
  });

  it('hands on the summaries of succeeded upstream tasks only, and lists every upstream task', async () => {
    const upstreamRecord = (project: string, taskId: string, status: RunRecord['status'], summary: string): RunRecord => ({
      schemaVersion: 1,
      project,
      task: taskId,
      spec: 's',
      status,
      agent: 'a',
      provider: 'scripted',
      model: '',
      attempts: 1,
      turns: 1,
      tokens: { input: 0, output: 0 },
      costUsd: 0,
      costSource: 'client',
      startedAt: '',
      endedAt: '',
      durationMs: 0,
      summary,
      filesWritten: [],
      upstream: [],
    });
    writeRunRecord(runs.workspaceRoot, upstreamRecord('api', 'design', 'succeeded', 'Designed GET /users.'));
    writeRunRecord(runs.workspaceRoot, upstreamRecord('shared', 'schema', 'failed', 'HALF DONE'));
    const { adapter, requests } = fakeAdapter(async () => succeed());
    const upstream = [
      { project: 'api', task: 'design' },
      { project: 'shared', task: 'schema' },
      { project: 'web', task: 'never-ran' },
    ];
    const { record, log, transcript } = await run(adapter, { upstream });
    expect(requests[0].prompt).toBe('Write the API.\n\n## Results of the tasks this one depends on\n\n### api:design\nDesigned GET /users.');
    expect(transcript[0].prompt).toBe(requests[0].prompt);
    expect(record.upstream).toEqual(['api:design', 'shared:schema', 'web:never-ran']);
    expect(log[0]).toBe('api:write-api · agent implementer (anthropic, claude-sonnet-4) · 1 upstream summary');
  });

  it('clears the previous record and transcript first: a failed rerun leaves no stale success', async () => {
    const folder = join(runs.workspaceRoot, runRecordFolder('api', 'write-api'));
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, TRANSCRIPT_FILE), '{"type":"stale"}\n');
    writeFileSync(join(folder, 'leftover.txt'), 'x');
    const { record, transcript } = await run(fakeAdapter(async () => Promise.reject(new Error('crash'))).adapter);
    expect(record.status).toBe('failed');
    expect(transcript.some((entry) => entry.type === 'stale')).toBe(false);
    expect(existsSync(join(folder, 'leftover.txt'))).toBe(false);
  });
});
