import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChildLog, startLimitsChild } from '../testing/limits-processes';
import { ConcurrencyPool } from './concurrency-pool';
import { ProcessIdentities } from './process-identity';
import { RunBudget, foldBudget, type BudgetLimits } from './run-budget';
import { RunJournal, type JournalEvent } from './run-journal';

const identities = new ProcessIdentities();
const me = identities.identify();

function budgetOf(limits: BudgetLimits, folder = mkdtempSync(join(tmpdir(), 'budget-'))): RunBudget {
  return new RunBudget({
    journal: new RunJournal(join(folder, 'journal.jsonl')),
    limits,
    admissionPool: { pool: new ConcurrencyPool({ pollMs: 5 }), folder: join(folder, 'admission') },
    identities,
    pollMs: 5,
  });
}

/** Admits, spends and finishes a task in one go. */
async function runTask(budget: RunBudget, task: string, costUsd: number | null, tokens = 0): Promise<boolean> {
  const admission = await budget.admit({ task });
  if (!admission.admitted) return false;
  budget.recordSpend({ task, attempt: 1, costUsd, tokens });
  budget.finish(task);
  return true;
}

describe('foldBudget', () => {
  const admitted = (task: string, reservation = {}, owner = me): JournalEvent => ({ type: 'admitted', at: 1, task, owner, reservation, budget: {} });
  const spent = (task: string, costUsd: number | null, tokens: number): JournalEvent => ({ type: 'spent', at: 2, task, attempt: 1, costUsd, tokens });

  it('counts failed attempts too, and keeps unpriced attempts out of the cost but in the tokens', () => {
    const totals = foldBudget([admitted('a'), spent('a', 0.5, 100), spent('a', 0.25, 50), spent('a', null, 10)], () => true);
    expect(totals.spent).toEqual({ costUsd: 0.75, tokens: 160, unpricedAttempts: 1 });
  });

  it("holds back a running task's reservation, less what it already spent; a finished or dead task holds nothing", () => {
    const events = [
      admitted('a', { costUsd: 1 }),
      spent('a', 0.25, 0),
      admitted('b', { costUsd: 1 }),
      { type: 'finished', at: 3, task: 'b' } as JournalEvent,
      admitted('c', { costUsd: 1 }, { ...me, pid: 1 }),
    ];
    const totals = foldBudget(events, (event) => event.task !== 'c');
    expect(totals.reserved.costUsd).toBe(0.75);
    expect(totals.running.map((running) => running.task)).toEqual(['a']);
    expect(totals.meanPerTask).toEqual({ tokens: 0, costUsd: 0 });
  });
});

describe('RunBudget', () => {
  it('stops a run of equal tasks within one task of the limit, run one after another', async () => {
    const budget = budgetOf({ costUsd: 2.9 });
    const ran: boolean[] = [];
    for (let index = 0; index < 10; index++) ran.push(await runTask(budget, `p:t${index}`, 1));
    expect(ran.filter(Boolean)).toHaveLength(2);
    expect(budget.totals().spent.costUsd).toBeLessThanOrEqual(2.9);
    expect(budget.totals().refused).toHaveLength(8);
    expect(budget.totals().refused[0].reason).toMatch(
      /^run budget would be passed: \$2\.0000 spent \+ \$1\.0000 expected by this task of the run budget \$2\.90/,
    );
  });

  it('refuses once a token budget is reached, and refuses retries then too', async () => {
    const budget = budgetOf({ tokens: 1_000 });
    expect(await runTask(budget, 'p:a', null, 1_200)).toBe(true);
    expect(budget.mayRetry()).toEqual({ allowed: false, reason: 'not retried: run budget spent: 1200 tokens spent of the run budget of 1000 tokens' });
    expect(await runTask(budget, 'p:b', null, 10)).toBe(false);
  });

  it("while no task's cost is known, runs one first and holds the others back until it shows what a task costs", async () => {
    const budget = budgetOf({ costUsd: 2.5 });
    expect(await budget.admit({ task: 'p:first' })).toEqual({ admitted: true, reservation: {} });
    const notes: string[] = [];
    let second: unknown;
    const waiting = budget.admit({ task: 'p:second', onWait: (note) => notes.push(note) }).then((admission) => (second = admission));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(second).toBeUndefined();
    expect(notes).toEqual(['waiting for p:first to show what a task costs before starting more (run budget $2.50)']);
    budget.recordSpend({ task: 'p:first', attempt: 1, costUsd: 1, tokens: 0 });
    budget.finish('p:first');
    await waiting;
    expect(second).toEqual({ admitted: true, reservation: { costUsd: 1 } });
    // 1 spent + 1 held for p:second + 1 expected: past 2.5.
    expect(await budget.admit({ task: 'p:third' })).toMatchObject({ admitted: false });
  });

  it("takes the caller's estimate (a task's last run, its maxCost) over the run's mean", async () => {
    const budget = budgetOf({ costUsd: 1 });
    expect(await budget.admit({ task: 'p:costly', estimate: { costUsd: 1.5 } })).toMatchObject({ admitted: false });
    expect(await budget.admit({ task: 'p:cheap', estimate: { costUsd: 0.5 } })).toEqual({ admitted: true, reservation: { costUsd: 0.5 } });
  });
});

describe('RunBudget across task processes', () => {
  it('ten tasks of $1 at once under a $3.50 budget: three run, seven are refused, none passes the budget', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'budget-run-'));
    const log = join(folder, 'children.jsonl');
    const children = Array.from({ length: 10 }, (_, index) =>
      startLimitsChild({
        action: 'spend',
        workspaceDataFolder: folder,
        runId: 'budgeted',
        task: `p:t${index}`,
        budgetUsd: 3.5,
        costUsd: 1,
        durationMs: 300,
        log,
      }),
    );
    expect(await Promise.all(children.map((child) => child.exited))).toEqual(Array(10).fill(0));
    const entries = readChildLog(log);
    expect(entries.filter((entry) => entry.event === 'admitted')).toHaveLength(3);
    expect(entries.filter((entry) => entry.event === 'refused')).toHaveLength(7);
  }, 60_000);
});
