import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChildLog, startLimitsChild } from '../testing/limits-processes';
import { MAX_PAUSE_MS, ProviderBackoff, foldBackoff, pauseAfterRateLimit } from './provider-backoff';
import { RunJournal, type JournalEvent } from './run-journal';

const limited = (at: number, details: Partial<Extract<JournalEvent, { type: 'rate-limited' }>> = {}): JournalEvent => ({
  type: 'rate-limited',
  at,
  task: 'p:t',
  provider: 'anthropic',
  attemptStartedAt: at - 100,
  pauseMs: 1_000,
  inUse: 4,
  configuredLimit: 4,
  ...details,
});
const succeeded = (at: number): JournalEvent => ({ type: 'attempt-succeeded', at, task: 'p:t', provider: 'anthropic' });

describe('foldBackoff', () => {
  it('halves the limit once per episode: answers to attempts that started before the cut do not cut again', () => {
    const burst = [limited(1_000, { attemptStartedAt: 900 }), limited(1_010, { attemptStartedAt: 905 }), limited(1_020, { attemptStartedAt: 950 })];
    const state = foldBackoff(burst, 'anthropic', 8);
    expect(state).toMatchObject({ limit: 2, rateLimits: 3, cuts: 1 });
    const again = foldBackoff([...burst, limited(3_000, { attemptStartedAt: 2_100, inUse: 2 })], 'anthropic', 8);
    expect(again).toMatchObject({ limit: 1, cuts: 2 });
  });

  it('learns a size for an unlimited pool from the slots in use, and never goes below one', () => {
    expect(foldBackoff([limited(1_000, { inUse: 6 })], 'anthropic', Infinity).limit).toBe(3);
    expect(foldBackoff([limited(1_000, { inUse: 1 })], 'anthropic', Infinity).limit).toBe(1);
  });

  it('grows back by about one slot per round of successes, up to the configured limit', () => {
    const events = [limited(1_000, { inUse: 4 }), succeeded(2_000), succeeded(2_100)];
    expect(Math.floor(foldBackoff(events, 'anthropic', 4).limit)).toBe(2);
    expect(Math.floor(foldBackoff([...events, succeeded(2_200)], 'anthropic', 4).limit)).toBe(3);
    const many = [...events, ...Array.from({ length: 20 }, (_, index) => succeeded(3_000 + index))];
    expect(foldBackoff(many, 'anthropic', 4).limit).toBe(4);
  });

  it('pauses until the latest end of any pause, and counts overlapping pauses once', () => {
    const state = foldBackoff(
      [limited(1_000, { pauseMs: 2_000, task: 'a' }), limited(1_500, { pauseMs: 2_000, task: 'b' }), limited(10_000, { pauseMs: 500, task: 'c' })],
      'anthropic',
      4,
    );
    expect(state.pausedUntil).toBe(10_500);
    expect(state.pausedBy).toEqual({ task: 'c' });
    expect(state.pausedMs).toBe(2_500 + 500);
  });

  it("ignores other providers' events", () => {
    expect(foldBackoff([limited(1_000, { provider: 'openai' })], 'anthropic', 4)).toMatchObject({ limit: 4, rateLimits: 0, pausedUntil: 0 });
  });
});

describe('pauseAfterRateLimit', () => {
  it("takes the server's wait, capped", () => {
    expect(pauseAfterRateLimit(2_000, 0)).toBe(2_000);
    expect(pauseAfterRateLimit(3_600_000, 0)).toBe(MAX_PAUSE_MS);
  });

  it('without one, doubles for each cut in a row, with jitter in the upper half', () => {
    expect(pauseAfterRateLimit(undefined, 0, () => 1)).toBe(1_000);
    expect(pauseAfterRateLimit(undefined, 2, () => 1)).toBe(4_000);
    expect(pauseAfterRateLimit(undefined, 2, () => 0)).toBe(2_000);
    expect(pauseAfterRateLimit(undefined, 10, () => 1)).toBe(30_000);
  });
});

describe('ProviderBackoff', () => {
  it('makes every task of the provider wait out a pause another task recorded, and journals the wait', async () => {
    let clock = 10_000;
    const journal = new RunJournal(join(mkdtempSync(join(tmpdir(), 'backoff-')), 'journal.jsonl'));
    const sleep = async (milliseconds: number) => {
      clock += milliseconds;
    };
    const seenBy = new ProviderBackoff({ journal, provider: 'anthropic', configuredLimit: 4, now: () => clock, sleep });
    const other = new ProviderBackoff({ journal: new RunJournal(journal.path), provider: 'anthropic', configuredLimit: 4, now: () => clock, sleep });
    expect(seenBy.recordRateLimit({ task: 'p:a', attemptStartedAt: 9_000, retryAfterMs: 2_500, inUse: 4 })).toBe(2_500);
    const notes: string[] = [];
    expect(await other.waitForClearance({ task: 'p:b', onPause: (state, remaining) => notes.push(`${state.pausedBy?.task} ${remaining}`) })).toBe(2_500);
    expect(notes).toEqual(['p:a 2500']);
    expect(journal.read().at(-1)).toMatchObject({ type: 'paused', task: 'p:b', waitedMs: 2_500 });
    expect(await other.waitForClearance({ task: 'p:c' })).toBe(0);
  });

  it('counts no wait, and journals none, when there is no pause (time spent reading the journal is not a pause)', async () => {
    let clock = 10_000;
    const journal = new RunJournal(join(mkdtempSync(join(tmpdir(), 'backoff-')), 'journal.jsonl'));
    // Every look at the clock takes a millisecond, as a journal read does under load.
    const backoff = new ProviderBackoff({ journal, provider: 'anthropic', configuredLimit: 4, now: () => clock++ });
    backoff.recordSuccess('p:a');
    expect(await backoff.waitForClearance({ task: 'p:b' })).toBe(0);
    expect(journal.read().map((event) => event.type)).toEqual(['attempt-succeeded']);
  });

  it('stops waiting when the run is stopped', async () => {
    const journal = new RunJournal(join(mkdtempSync(join(tmpdir(), 'backoff-')), 'journal.jsonl'));
    const backoff = new ProviderBackoff({ journal, provider: 'anthropic', configuredLimit: 4 });
    backoff.recordRateLimit({ task: 'p:a', attemptStartedAt: Date.now(), retryAfterMs: 30_000, inUse: 1 });
    const abort = new AbortController();
    const waiting = backoff.waitForClearance({ task: 'p:b', signal: abort.signal });
    setTimeout(() => abort.abort(), 50);
    await expect(waiting).rejects.toThrow(/stopped while waiting for anthropic/);
  });
});

describe('shared backoff across task processes, against a server that rate limits', () => {
  let server: Server;
  let url: string;
  const log: Array<{ task: string; at: number; status: number }> = [];
  const seen = new Map<string, number>();

  beforeAll(async () => {
    // The first request of every task gets 429 with retry-after 1 s; later ones succeed.
    server = createServer((request, response) => {
      const task = String(request.headers['x-task']);
      const count = (seen.get(task) ?? 0) + 1;
      seen.set(task, count);
      const status = count === 1 ? 429 : 200;
      log.push({ task, at: Date.now(), status });
      request.resume();
      if (status === 429) response.writeHead(429, { 'retry-after': '1' }).end('rate limited');
      else response.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("no attempt of any task starts inside a pause another task's 429 started, and each task needs exactly two requests", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'storm-'));
    const childLog = join(folder, 'children.jsonl');
    // Staggered starts: later tasks begin while an earlier task's pause is in force.
    const children = Array.from(
      { length: 5 },
      (_, index) =>
        new Promise<number | null>((resolve) =>
          setTimeout(
            () =>
              startLimitsChild({ action: 'requests', workspaceDataFolder: folder, runId: 'storm', task: `p:t${index}`, url, log: childLog }).exited.then(
                resolve,
              ),
            index * 300,
          ),
        ),
    );
    expect(await Promise.all(children)).toEqual([0, 0, 0, 0, 0]);
    // The bound: one 429 and one success per task, nothing more.
    expect(log).toHaveLength(10);
    const pauses = new RunJournal(join(folder, 'nx-agent-orchestrator', 'runs', 'storm', 'journal.jsonl'))
      .read()
      .filter((event): event is Extract<JournalEvent, { type: 'rate-limited' }> => event.type === 'rate-limited');
    expect(pauses).toHaveLength(5);
    const sent = readChildLog(childLog).filter((entry) => entry.event === 'request');
    for (const request of sent) {
      // Sent after a pause was journalled, by whatever task: not before that pause ended (5 ms for clock rounding).
      const violated = pauses.filter((pause) => pause.at < request.at && request.at < pause.at + pause.pauseMs - 5);
      expect({ request, violated }).toEqual({ request, violated: [] });
    }
    // As the server saw it: each task's retry came at least its retry-after after its 429.
    for (let index = 0; index < 5; index++) {
      const [rejected, accepted] = log.filter((entry) => entry.task === `p:t${index}`);
      expect(rejected.status).toBe(429);
      expect(accepted.at - rejected.at).toBeGreaterThanOrEqual(1_000 - 5);
    }
    const lines = readChildLog(childLog).filter((entry) => entry.event === 'line');
    expect(lines.some((entry) => /waiting .*anthropic is rate limited \(seen by p:t\d/.test(String(entry.line)))).toBe(true);
  }, 60_000);
});
