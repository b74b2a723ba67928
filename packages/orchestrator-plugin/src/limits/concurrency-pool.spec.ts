import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mostAtOnce, readChildLog, startLimitsChild, waitForLog, type ChildLogEntry } from '../testing/limits-processes';
import { ConcurrencyPool, type PoolWaitState } from './concurrency-pool';
import { ProcessIdentities, SYSTEM_PROCESS_TABLE } from './process-identity';

const temporaryFolder = () => mkdtempSync(join(tmpdir(), 'pool-'));
const delay = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('ConcurrencyPool in one process (a batch)', () => {
  it.each([
    [3, 8],
    [1, 5],
  ])('lets at most %i hold at once, and all %i tasks in the end', async (limit, tasks) => {
    const folder = temporaryFolder();
    const pool = new ConcurrencyPool({ pollMs: 5 });
    let holding = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: tasks }, async (_, index) => {
        const slot = await pool.acquire({ folder, limit: () => limit, holder: `task-${index}` });
        order.push(index);
        holding++;
        most = Math.max(most, holding);
        await delay(20);
        holding--;
        slot.release();
      }),
    );
    expect(most).toBe(limit);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: tasks }, (_, index) => index));
    // One slot: tickets are served strictly in the order they were taken.
    if (limit === 1) expect(order).toEqual(Array.from({ length: tasks }, (_, index) => index));
    expect(readdirSync(folder)).toEqual([]);
  });

  it('tells a waiter how many slots are in use and how many wait ahead', async () => {
    const folder = temporaryFolder();
    const pool = new ConcurrencyPool({ pollMs: 5 });
    const first = await pool.acquire({ folder, limit: () => 2, holder: 'a' });
    const second = await pool.acquire({ folder, limit: () => 2, holder: 'b' });
    const states: PoolWaitState[] = [];
    const third = pool.acquire({ folder, limit: () => 2, holder: 'c' });
    const fourth = pool.acquire({ folder, limit: () => 2, holder: 'd', onWait: (state) => states.push(state) });
    await delay(30);
    expect(states[0]).toEqual({ inUse: 2, waitingAhead: 1, limit: 2 });
    first.release();
    (await third).release();
    second.release();
    const slot = await fourth;
    expect(slot.waitedMs).toBeGreaterThan(0);
    slot.release();
  });

  it('reads the limit at every look: a pool cut while tasks wait admits fewer', async () => {
    const folder = temporaryFolder();
    const pool = new ConcurrencyPool({ pollMs: 5 });
    let limit = 4;
    const held = await Promise.all([0, 1].map((index) => pool.acquire({ folder, limit: () => limit, holder: `h${index}` })));
    limit = 1;
    let acquired = false;
    const waiting = pool.acquire({ folder, limit: () => limit, holder: 'late' }).then((slot) => {
      acquired = true;
      return slot;
    });
    await delay(30);
    held[0].release();
    await delay(30);
    // One of the two holders is still there: with a limit of 1 the late task still waits.
    expect(acquired).toBe(false);
    held[1].release();
    (await waiting).release();
    expect(acquired).toBe(true);
  });

  it('leaves no ticket behind when the wait is aborted (Ctrl-C while queued)', async () => {
    const folder = temporaryFolder();
    const pool = new ConcurrencyPool({ pollMs: 5 });
    const holder = await pool.acquire({ folder, limit: () => 1, holder: 'a' });
    const abort = new AbortController();
    const waiting = pool.acquire({ folder, limit: () => 1, holder: 'b', signal: abort.signal });
    await delay(20);
    abort.abort();
    await expect(waiting).rejects.toThrow('stopped while waiting for a slot');
    expect(readdirSync(folder)).toHaveLength(1);
    holder.release();
    expect(readdirSync(folder)).toEqual([]);
  });

  it('takes over at once from an owner whose pid is gone or was reused by a younger process', async () => {
    const identities = new ProcessIdentities();
    const me = identities.identify();
    for (const owner of [
      { ...me, pid: 2 ** 22 + 12_345 },
      { ...me, startTime: '1' },
    ]) {
      const folder = temporaryFolder();
      writeFileSync(join(folder, 'ticket-000000000001-0123456789abcdef.json'), JSON.stringify({ ...owner, holder: 'crashed', createdAt: 0 }));
      const slot = await new ConcurrencyPool({ pollMs: 5, identities }).acquire({ folder, limit: () => 1, holder: 'next' });
      expect(slot.waitedMs).toBeLessThan(1_000);
      expect(readdirSync(folder)).toHaveLength(1);
      slot.release();
    }
  });

  it("judges another machine's ticket by its heartbeat: alive while fresh, dead once older than staleMs", async () => {
    const folder = temporaryFolder();
    const ticket = join(folder, 'ticket-000000000001-0123456789abcdef.json');
    writeFileSync(ticket, JSON.stringify({ pid: 1, machine: 'elsewhere', holder: 'remote', createdAt: 0 }));
    const pool = new ConcurrencyPool({ pollMs: 5, staleMs: 10_000 });
    let acquired = false;
    const waiting = pool.acquire({ folder, limit: () => 1, holder: 'local' }).then((slot) => {
      acquired = true;
      return slot;
    });
    await delay(50);
    expect(acquired).toBe(false);
    const old = new Date(Date.now() - 11_000);
    utimesSync(ticket, old, old);
    (await waiting).release();
    expect(acquired).toBe(true);
  });
});

describe('ConcurrencyPool across processes', () => {
  const childrenLog = () => join(temporaryFolder(), 'log.jsonl');

  it('holds the limit over 6 processes of which 2 run 3 tasks each (forked tasks and a batch together)', async () => {
    const folder = temporaryFolder();
    const log = childrenLog();
    const children = [
      ...Array.from({ length: 4 }, (_, index) => startLimitsChild({ action: 'hold', folder, limit: 3, holder: `forked-${index}`, holdMs: 150, log })),
      ...Array.from({ length: 2 }, (_, index) =>
        startLimitsChild({ action: 'hold', folder, limit: 3, holder: `batch-${index}`, holders: 3, holdMs: 150, log }),
      ),
    ];
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0, 0, 0, 0]);
    const entries = readChildLog(log);
    expect(entries.filter((entry) => entry.event === 'acquired')).toHaveLength(10);
    expect(entries.filter((entry) => entry.event === 'error')).toEqual([]);
    expect(mostAtOnce(entries)).toBeLessThanOrEqual(3);
    // The pool was in fact contended: the limit, not luck, kept it at three.
    expect(mostAtOnce(entries)).toBe(3);
    expect(readdirSync(folder)).toEqual([]);
  }, 60_000);

  it('a holder killed with SIGKILL does not block the pool: the next waiter takes over within a look', async () => {
    const folder = temporaryFolder();
    const log = childrenLog();
    const holder = startLimitsChild({ action: 'hold', folder, limit: 1, holder: 'doomed', log });
    await waitForLog(log, (entries) => entries.some((entry) => entry.event === 'acquired'));
    const waiter = startLimitsChild({ action: 'hold', folder, limit: 1, holder: 'next', holdMs: 10, log, staleMs: 60_000 });
    await delay(500);
    expect(readChildLog(log).filter((entry) => entry.event === 'acquired')).toHaveLength(1);
    const killedAt = Date.now();
    holder.kill('SIGKILL');
    const entries = await waitForLog(log, (all) => all.some((entry) => entry.event === 'acquired' && entry.holder === 'next'));
    const next = entries.find((entry) => entry.event === 'acquired' && entry.holder === 'next') as ChildLogEntry;
    // Found dead by pid and start time, long before the 60 s stale timeout.
    expect(next.at - killedAt).toBeLessThan(5_000);
    expect(await waiter.exited).toBe(0);
  }, 60_000);

  it('a killed holder on "another machine" blocks no longer than the stale timeout', async () => {
    const folder = temporaryFolder();
    const log = childrenLog();
    const staleMs = 2_000;
    const holder = startLimitsChild({ action: 'hold', folder, limit: 1, holder: 'remote', log, foreignMachine: true, staleMs });
    await waitForLog(log, (entries) => entries.some((entry) => entry.event === 'acquired'));
    holder.kill('SIGKILL');
    const killedAt = Date.now();
    const waiter = startLimitsChild({ action: 'hold', folder, limit: 1, holder: 'local', holdMs: 10, log, staleMs });
    const entries = await waitForLog(log, (all) => all.some((entry) => entry.event === 'acquired' && entry.holder === 'local'));
    const local = entries.find((entry) => entry.event === 'acquired' && entry.holder === 'local') as ChildLogEntry;
    // Its pid cannot be looked up from "here": only its heartbeat's age frees the slot.
    expect(local.at - killedAt).toBeGreaterThanOrEqual(staleMs - 1_000);
    expect(local.at - killedAt).toBeLessThan(staleMs + 5_000);
    expect(await waiter.exited).toBe(0);
  }, 60_000);

  it('releases the slot when the holder is stopped with SIGTERM or Ctrl-C (SIGINT)', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const folder = temporaryFolder();
      const log = childrenLog();
      const holder = startLimitsChild({ action: 'hold', folder, limit: 1, holder: 'stopped', log });
      await waitForLog(log, (entries) => entries.some((entry) => entry.event === 'acquired'));
      holder.kill(signal);
      await holder.exited;
      // Released by the process itself on its way out (signal-exit), not found dead by a waiter.
      expect(readdirSync(folder)).toEqual([]);
    }
  }, 60_000);
});

describe('ProcessIdentities', () => {
  it('calls a live pid with another start time dead (the pid was reused) and a pid of another machine unknown', () => {
    const identities = new ProcessIdentities({ ...SYSTEM_PROCESS_TABLE });
    const me = identities.identify();
    expect(identities.liveness(me)).toBe('alive');
    expect(identities.liveness({ ...me, startTime: `${me.startTime}0` })).toBe('dead');
    expect(identities.liveness({ ...me, machine: 'elsewhere' })).toBe('unknown');
  });
});
