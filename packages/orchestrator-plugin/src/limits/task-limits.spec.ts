import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeLimits } from './limits-summary';
import { poolFolder } from './run-identity';
import { RunLimits, type LimitsSettings } from './task-limits';

const delay = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function runLimits(settings: Partial<LimitsSettings>, workspaceDataFolder = mkdtempSync(join(tmpdir(), 'limits-'))): RunLimits {
  return new RunLimits({ workspaceDataFolder, runId: 'run-1', settings: { providerConcurrency: {}, budget: {}, ...settings }, pollMs: 5 });
}

describe('TaskLimits', () => {
  it('says what a task waits for, counts the wait apart, and frees the slot at the end', async () => {
    const limits = runLimits({ providerConcurrency: { 'claude-code': 2 } });
    const lines: string[] = [];
    const first = limits.forTask({ task: 'p:a', provider: 'claude-code', log: () => undefined });
    const second = limits.forTask({ task: 'p:b', provider: 'claude-code', log: () => undefined });
    const third = limits.forTask({ task: 'p:c', provider: 'claude-code', log: (line) => lines.push(line) });
    await first.start();
    await second.start();
    const started = third.start();
    await delay(40);
    expect(lines).toEqual(['waiting for a claude-code slot (2 in use)']);
    first.finish();
    await started;
    expect(lines[1]).toMatch(/^got a claude-code slot after \d+ms$/);
    expect(third.waits.slotMs).toBeGreaterThanOrEqual(30);
    expect(first.waits.slotMs).toBe(0);
    second.finish();
    third.finish();
    third.finish();
    expect(readdirSync(poolFolder(limits.options.workspaceDataFolder, 'claude-code'))).toEqual([]);
  });

  it("takes the profile's slot, then the provider's: a profile of 1 inside a provider pool of 3", async () => {
    const limits = runLimits({ providerConcurrency: { anthropic: 3 } });
    const reviewer = { name: 'reviewer', concurrency: 1 };
    const lines: string[] = [];
    const a = limits.forTask({ task: 'p:a', provider: 'anthropic', profile: reviewer, log: () => undefined });
    const b = limits.forTask({ task: 'p:b', provider: 'anthropic', profile: reviewer, log: (line) => lines.push(line) });
    const other = limits.forTask({ task: 'p:c', provider: 'anthropic', log: () => undefined });
    await a.start();
    const waiting = b.start();
    await other.start();
    await delay(30);
    expect(lines).toEqual(['waiting for a reviewer slot (1 in use)']);
    a.finish();
    await waiting;
    b.finish();
    other.finish();
  });

  it('a rate limit seen by one task pauses the next attempt of another and cuts the pool for the run', async () => {
    let clock = 1_000_000;
    const limits = new RunLimits({
      workspaceDataFolder: mkdtempSync(join(tmpdir(), 'limits-')),
      runId: 'run-1',
      settings: { providerConcurrency: { anthropic: 4 }, budget: {} },
      pollMs: 5,
      now: () => clock,
      sleep: async (milliseconds) => {
        clock += milliseconds;
      },
    });
    const lines: string[] = [];
    const seer = limits.forTask({ task: 'p:a', provider: 'anthropic', log: (line) => lines.push(line) });
    const other = limits.forTask({ task: 'p:b', provider: 'anthropic', log: (line) => lines.push(line) });
    await seer.start();
    await other.start();
    await seer.beforeAttempt(1);
    seer.afterAttempt({ attempt: 1, startedAt: clock - 10, succeeded: false, rateLimited: { retryAfterMs: 3_000 } });
    expect(lines.at(-1)).toBe('anthropic rate limited this task: every anthropic task pauses 3.0s; at most 1 at once from now on');
    await other.beforeAttempt(1);
    expect(lines.at(-1)).toBe('waiting 3.0s: anthropic is rate limited (seen by p:a, retry-after 3.0s)');
    expect(other.waits.rateLimitMs).toBe(3_000);
    seer.finish();
    other.finish();
    const summary = summarizeLimits(limits.journal.read());
    expect(summary.rateLimits.anthropic).toEqual({ rateLimits: 1, cuts: 1, pausedMs: 3_000, tasksPaused: 1, waitedMs: 3_000, limitAtEnd: 1 });
  });

  it('does not start a task once the run budget is spent, and does not retry one either', async () => {
    const limits = runLimits({ budget: { costUsd: 1 } });
    const first = limits.forTask({ task: 'p:a', provider: 'scripted', log: () => undefined });
    expect(await first.start()).toEqual({ started: true });
    await first.beforeAttempt(1);
    first.afterAttempt({ attempt: 1, startedAt: Date.now(), succeeded: false, spend: { costUsd: 1.2, tokens: 500 } });
    await expect(first.beforeAttempt(2)).rejects.toThrow('not retried: run budget spent: $1.2000 spent of the run budget $1.00');
    first.finish();
    const second = limits.forTask({ task: 'p:b', provider: 'scripted', log: () => undefined });
    expect(await second.start()).toEqual({ started: false, reason: 'run budget spent: $1.2000 spent of the run budget $1.00' });
    const summary = summarizeLimits(limits.journal.read());
    expect(summary.budget).toEqual({
      limits: { costUsd: 1 },
      used: { costUsd: 1.2, tokens: 500, unpricedAttempts: 0 },
      left: { costUsd: 0 },
      refused: [{ task: 'p:b', reason: 'run budget spent: $1.2000 spent of the run budget $1.00' }],
    });
  });

  it('gives scripted and command tasks no pool and no backoff unless a limit is set for them', async () => {
    const limits = runLimits({});
    const task = limits.forTask({ task: 'p:a', provider: 'scripted', log: () => undefined });
    await task.start();
    task.afterAttempt({ attempt: 1, startedAt: Date.now(), succeeded: false, rateLimited: {} });
    expect(limits.journal.read()).toEqual([]);
    task.finish();
  });
});
