import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatLimitsSummary, readLimitsSummary, summarizeLimits } from './limits-summary';
import { RunLimits } from './task-limits';
import type { JournalEvent } from './run-journal';

const owner = { pid: 1, machine: 'm' };

describe('the limits summary', () => {
  const events: JournalEvent[] = [
    { type: 'slot-waited', at: 1, task: 'a:t1', pool: 'claude-code', waitedMs: 4_000 },
    { type: 'slot-waited', at: 2, task: 'a:t2', pool: 'claude-code', waitedMs: 6_500 },
    {
      type: 'rate-limited',
      at: 10_000,
      task: 'a:t1',
      provider: 'claude-code',
      attemptStartedAt: 9_000,
      retryAfterMs: 2_000,
      pauseMs: 2_000,
      inUse: 4,
      configuredLimit: 4,
    },
    { type: 'paused', at: 12_000, task: 'a:t2', provider: 'claude-code', waitedMs: 1_800 },
    { type: 'admitted', at: 3, task: 'a:t1', owner, reservation: {}, budget: { costUsd: 1 } },
    { type: 'spent', at: 4, task: 'a:t1', attempt: 1, costUsd: 0.25, tokens: 1_000 },
    { type: 'spent', at: 5, task: 'a:t1', attempt: 2, costUsd: null, tokens: 200 },
    { type: 'finished', at: 6, task: 'a:t1' },
    { type: 'refused', at: 7, task: 'a:t3', reason: 'run budget spent', budget: { costUsd: 1 } },
  ];

  it('totals slot waits, rate-limit pauses and the budget from the journal alone', () => {
    expect(summarizeLimits(events)).toEqual({
      slotWaits: { tasks: 2, totalMs: 10_500, byPool: { 'claude-code': { tasks: 2, totalMs: 10_500 } } },
      rateLimits: { 'claude-code': { rateLimits: 1, cuts: 1, pausedMs: 2_000, tasksPaused: 1, waitedMs: 1_800, limitAtEnd: 2 } },
      budget: {
        limits: { costUsd: 1 },
        used: { costUsd: 0.25, tokens: 1_200, unpricedAttempts: 1 },
        left: { costUsd: 0.75 },
        refused: [{ task: 'a:t3', reason: 'run budget spent' }],
      },
    });
  });

  it('prints one line per limit the run met', () => {
    expect(formatLimitsSummary(summarizeLimits(events))).toEqual([
      '  waited for slots: 10.5s over 2 task(s) (claude-code 2 task(s), 10.5s)',
      '  rate limits: claude-code answered 1 rate limit(s); paused 2.0s in 1 pause(s), 1 task(s) waited 1.8s; at most 2 at once by the end',
      '  run budget: $0.2500 of $1.00 used, $0.7500 left (1 attempt(s) of unknown price not counted in the cost)',
      '  skipped (budget): 1 task(s) not started: a:t3',
    ]);
    expect(formatLimitsSummary(summarizeLimits([]))).toEqual([]);
  });

  it('is read back by the run id, and is absent for a run whose tasks met no limit', () => {
    const data = mkdtempSync(join(tmpdir(), 'summary-'));
    const limits = new RunLimits({ workspaceDataFolder: data, runId: '42', settings: { providerConcurrency: {}, budget: {} } });
    limits.journal.append(events[0]);
    expect(readLimitsSummary(data, '42')?.slotWaits.tasks).toBe(1);
    expect(readLimitsSummary(data, '43')).toBeUndefined();
  });
});
