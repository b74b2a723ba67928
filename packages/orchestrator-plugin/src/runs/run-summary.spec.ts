import type { RunRecord } from './run-record';
import { buildRunSummary, formatRunSummary, runSummarySchema, type NxTaskStatus, type RunSummaryRequest } from './run-summary';

const record = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  schemaVersion: 1,
  project: 'api',
  task: 'task',
  spec: 'apps/api/agent-tasks.json',
  status: 'succeeded',
  agent: 'implementer',
  provider: 'anthropic',
  model: 'claude-sonnet-4-5',
  attempts: 1,
  turns: 2,
  tokens: { input: 1_000, output: 200 },
  costUsd: 0.006,
  costSource: 'price-table',
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:02.500Z',
  durationMs: 2_500,
  summary: 'done',
  filesWritten: [],
  upstream: [],
  ...overrides,
});

const START = Date.parse('2025-06-01T10:00:00.000Z');
const summaryOf = (tasks: RunSummaryRequest['tasks']) =>
  buildRunSummary({
    tasks,
    id: 'invocation-1',
    argv: ['/usr/bin/node', '/ws/node_modules/nx/bin/nx.js', 'run-many', '-t', 'agent'],
    startTime: START,
    endTime: START + 9_000,
  });

describe('buildRunSummary', () => {
  it.each<[NxTaskStatus, string, string | undefined]>([
    ['success', 'ran', undefined],
    ['failure', 'failed', undefined],
    ['skipped', 'skipped', undefined],
    ['stopped', 'stopped', undefined],
    ['local-cache', 'cached', 'local'],
    ['local-cache-kept-existing', 'cached', 'local'],
    ['remote-cache', 'cached', 'remote'],
  ])('Nx status %s is outcome %s (cache %s)', (status, outcome, cache) => {
    const [row] = summaryOf([{ task: 'api:x', status, record: record() }]).tasks;
    expect(row.outcome).toBe(outcome);
    expect(row.cache).toBe(cache);
    expect('cache' in row).toBe(cache !== undefined);
  });

  it('shows a status it does not know (a later Nx) as not run, instead of failing', () => {
    const summary = summaryOf([{ task: 'api:x', status: 'in-the-future' as NxTaskStatus }]);
    expect(summary.tasks[0].outcome).toBe('skipped');
    expect(summary.totals.skipped).toBe(1);
  });

  it('names the invocation: Nx id, the command after nx, ISO start and end', () => {
    const summary = summaryOf([]);
    expect(summary).toMatchObject({
      schemaVersion: 2,
      id: 'invocation-1',
      command: ['run-many', '-t', 'agent'],
      startedAt: '2025-06-01T10:00:00.000Z',
      endedAt: '2025-06-01T10:00:09.000Z',
      tasks: [],
    });
  });

  it('sorts rows by task and counts every outcome', () => {
    const summary = summaryOf([
      { task: 'web:b', status: 'stopped' },
      { task: 'api:z', status: 'success', record: record() },
      { task: 'web:a', status: 'skipped' },
      { task: 'api:a', status: 'failure', record: record({ status: 'failed' }) },
      { task: 'api:m', status: 'remote-cache', record: record() },
      { task: 'api:n', status: 'local-cache', record: record() },
    ]);
    expect(summary.tasks.map((row) => row.task)).toEqual(['api:a', 'api:m', 'api:n', 'api:z', 'web:a', 'web:b']);
    expect(summary.totals).toMatchObject({ ran: 1, cached: 2, failed: 1, skipped: 1, stopped: 1 });
  });

  it('spends what ran or failed, and saves what the cache replayed (from the records it restored)', () => {
    const summary = summaryOf([
      { task: 'api:ran', status: 'success', record: record({ tokens: { input: 100, output: 10 }, costUsd: 0.5, durationMs: 1_000 }) },
      { task: 'api:failed', status: 'failure', record: record({ status: 'failed', tokens: { input: 20, output: 2 }, costUsd: 0.25, durationMs: 300 }) },
      { task: 'api:hit', status: 'local-cache', record: record({ tokens: { input: 4_000, output: 400 }, costUsd: 2, durationMs: 60_000 }) },
      { task: 'api:remote', status: 'remote-cache', record: record({ tokens: { input: 1, output: 1 }, costUsd: 0.125, durationMs: 5 }) },
    ]);
    expect(summary.totals.spent).toEqual({ tokens: { input: 120, output: 12 }, costUsd: 0.75, unpricedTasks: 0 });
    expect(summary.totals.saved).toEqual({ tokens: { input: 4_001, output: 401 }, costUsd: 2.125, durationMs: 60_005 });
    expect(summary.tasks.find((row) => row.task === 'api:hit')).toMatchObject({ durationMs: 60_000, tokens: { input: 4_000, output: 400 }, costUsd: 2 });
  });

  it('counts a run of unknown price apart instead of pricing it at zero', () => {
    const summary = summaryOf([
      { task: 'api:priced', status: 'success', record: record({ costUsd: 0.5 }) },
      { task: 'api:unpriced', status: 'success', record: record({ costUsd: null, costSource: 'unknown', tokens: { input: 9, output: 9 } }) },
      // Failed before the agent ran: no tokens, nothing to price.
      { task: 'api:no-record', status: 'failure' },
    ]);
    expect(summary.totals.spent).toEqual({ tokens: { input: 1_009, output: 209 }, costUsd: 0.5, unpricedTasks: 1 });
    expect(summary.tasks.find((row) => row.task === 'api:no-record')).toEqual({
      task: 'api:no-record',
      outcome: 'failed',
      durationMs: 0,
      tokens: { input: 0, output: 0 },
      costUsd: null,
    });
  });

  it('a skipped or stopped task adds nothing to what was spent or saved', () => {
    const summary = summaryOf([
      { task: 'api:skipped', status: 'skipped' },
      { task: 'api:stopped', status: 'stopped' },
    ]);
    expect(summary.totals.spent).toEqual({ tokens: { input: 0, output: 0 }, costUsd: 0, unpricedTasks: 0 });
    expect(summary.totals.saved).toEqual({ tokens: { input: 0, output: 0 }, costUsd: 0, durationMs: 0 });
  });

  it('copies the tokens of a record, keeping no other field of it', () => {
    const withExtra = { ...record(), tokens: { input: 5, output: 6, cacheRead: 7 } } as unknown as RunRecord;
    const summary = summaryOf([{ task: 'api:x', status: 'success', record: withExtra }]);
    expect(summary.tasks[0].tokens).toEqual({ input: 5, output: 6 });
    expect(() => runSummarySchema.parse(summary)).not.toThrow();
  });

  it('builds what its own strict schema accepts, and the schema refuses anything else', () => {
    const summary = summaryOf([{ task: 'api:x', status: 'remote-cache', record: record() }]);
    expect(runSummarySchema.parse(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    expect(runSummarySchema.safeParse({ ...summary, schemaVersion: 1 }).success).toBe(false);
    expect(runSummarySchema.safeParse({ ...summary, extra: true }).success).toBe(false);
  });
});

describe('formatRunSummary', () => {
  it('prints one row per task, then the counts, what was spent and what the cache saved', () => {
    const summary = summaryOf([
      { task: 'api:design', status: 'success', record: record({ tokens: { input: 1_200, output: 300 }, costUsd: 0.0081, durationMs: 12_300 }) },
      { task: 'api:implement', status: 'failure', record: record({ status: 'failed', tokens: { input: 50, output: 5 }, costUsd: null, durationMs: 850 }) },
      { task: 'web:page', status: 'remote-cache', record: record({ tokens: { input: 900, output: 100 }, costUsd: 0.004, durationMs: 245_000 }) },
      { task: 'web:styles', status: 'local-cache-kept-existing', record: record({ tokens: { input: 10, output: 1 }, costUsd: 0, durationMs: 40 }) },
      { task: 'web:copy', status: 'skipped' },
      { task: 'web:seo', status: 'stopped' },
    ]);
    expect(formatRunSummary(summary)).toMatchInlineSnapshot(`
"Agent run summary (.agent-runs/summary.json)
  task           result           duration  tokens                  cost
  api:design     ran                 12.3s  1200 in / 300 out       $0.0081
  api:implement  failed              850ms  50 in / 5 out           ?
  web:copy       skipped                 -  -                       -
  web:page       cached (remote)     4m05s  900 in / 100 out        $0.0040
  web:seo        stopped                 -  -                       -
  web:styles     cached (local)       40ms  10 in / 1 out           $0.0000
  1 ran, 2 cached, 1 failed, 1 skipped, 1 stopped
  spent: 1250 in / 305 out tokens, $0.0081 (+ 1 task(s) of unknown price)
  saved by the cache: 910 in / 101 out tokens, $0.0040, 4m05s of agent time
"
`);
  });

  it('leaves out the stopped count and the unknown price note when there are none', () => {
    const text = formatRunSummary(summaryOf([{ task: 'api:x', status: 'success', record: record() }]));
    expect(text).toContain('  1 ran, 0 cached, 0 failed, 0 skipped\n');
    expect(text).toContain('  spent: 1000 in / 200 out tokens, $0.0060\n');
    expect(text).not.toContain('stopped');
    expect(text).not.toContain('unknown price');
  });

  it('shows a task the run budget skipped as skipped (budget), not failed, and the limits lines after the totals; summary.json keeps them', () => {
    const skipped = record({ status: 'skipped', skipped: { reason: 'budget', details: 'run budget spent' }, tokens: { input: 0, output: 0 }, costUsd: 0 });
    const summary = buildRunSummary({
      tasks: [
        { task: 'api:a', status: 'success', record: record({ costUsd: 0.3 }) },
        { task: 'api:b', status: 'failure', record: skipped },
      ],
      id: 'invocation-1',
      argv: ['node', 'nx', 'run-many', '-t', 'agent'],
      startTime: START,
      endTime: START + 9_000,
      limits: {
        slotWaits: { tasks: 1, totalMs: 4_000, byPool: { anthropic: { tasks: 1, totalMs: 4_000 } } },
        rateLimits: { anthropic: { rateLimits: 3, cuts: 1, pausedMs: 2_000, tasksPaused: 2, waitedMs: 3_500, limitAtEnd: 2 } },
        budget: {
          limits: { costUsd: 0.5 },
          used: { costUsd: 0.3, tokens: 1_200, unpricedAttempts: 0 },
          left: { costUsd: 0.2 },
          refused: [{ task: 'api:b', reason: 'spent' }],
        },
      },
    });
    expect(summary.tasks[1]).toMatchObject({ outcome: 'skipped', reason: 'budget' });
    expect(summary.totals).toMatchObject({ ran: 1, failed: 0, skipped: 1 });
    expect(runSummarySchema.parse(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    const lines = formatRunSummary(summary).split('\n');
    expect(lines).toContain('  api:b  skipped (budget)         -  -                       -');
    expect(lines.slice(-5, -1)).toEqual([
      '  waited for slots: 4.0s over 1 task(s) (anthropic 1 task(s), 4.0s)',
      '  rate limits: anthropic answered 3 rate limit(s); paused 2.0s in 1 pause(s), 2 task(s) waited 3.5s; at most 2 at once by the end',
      '  run budget: $0.3000 of $0.50 used, $0.2000 left',
      '  skipped (budget): 1 task(s) not started: api:b',
    ]);
  });

  it('names the files a task changed outside its writes, and the summary file keeps them with the verify rounds', () => {
    const writeScope: NonNullable<RunRecord['writeScope']> = {
      isolation: 'worktree',
      policy: 'fail',
      checked: true,
      inScope: ['apps/api/a.ts'],
      outOfScope: [{ path: 'README.md', attribution: 'isolated' }],
      conflicts: [],
      presumedOthers: [],
      failsTask: true,
    };
    const verification: NonNullable<RunRecord['verification']> = { maxAttempts: 2, passed: true, rounds: [] };
    const summary = summaryOf([
      { task: 'api:x', status: 'failure', record: record({ status: 'failed', writeScope }) },
      { task: 'api:y', status: 'success', record: record({ verification: { ...verification, rounds: [round(1, false), round(2, true)] } }) },
    ]);
    expect(summary.tasks.map((row) => [row.outOfScope, row.verifyRounds])).toEqual([
      [['README.md'], undefined],
      [undefined, 2],
    ]);
    expect(runSummarySchema.safeParse(summary).success).toBe(true);
    expect(formatRunSummary(summary)).toContain('  api:x changed files outside its writes: README.md\n');
    expect(formatRunSummary(summaryOf([{ task: 'api:y', status: 'success', record: record() }]))).not.toContain('outside its writes');
  });
});

function round(number: number, passed: boolean): NonNullable<RunRecord['verification']>['rounds'][number] {
  return { round: number, turn: number === 1 ? 'first' : 'resumed', summary: '', passed, checks: [] };
}
