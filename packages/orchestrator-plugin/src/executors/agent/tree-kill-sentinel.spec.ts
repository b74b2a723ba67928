import { execFileSync } from 'node:child_process';
import { startTreeKillSentinel, STOP_GRACE_MS, stopCheckOf } from './tree-kill-sentinel';

const catChildren = (): number[] =>
  execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim().endsWith('cat'))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
const sentinelPid = (): number => {
  const children = catChildren();
  if (children.length !== 1) throw new Error(`expected one cat child, found ${children.length}`);
  return children[0];
};

const waitUntil = async (condition: () => boolean) => {
  for (let tries = 0; tries < 100 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('startTreeKillSentinel', () => {
  // Each test starts with no sentinel of an earlier one still exiting.
  beforeEach(() => waitUntil(() => catChildren().length === 0));

  it('reports a stop signal at once, and calls onKilled when the sentinel dies', async () => {
    const onKilled = jest.fn();
    const sentinel = startTreeKillSentinel(onKilled);
    const pid = sentinelPid();
    expect(sentinel.signalled()).toBe(false);
    process.kill(pid, 'SIGTERM');
    await waitUntil(() => onKilled.mock.calls.length > 0);
    expect(sentinel.signalled()).toBe(true);
    expect(onKilled).toHaveBeenCalledTimes(1);
  });

  it('retiring it is not a kill', async () => {
    const onKilled = jest.fn();
    const sentinel = startTreeKillSentinel(onKilled);
    const pid = sentinelPid();
    sentinel.retire();
    await waitUntil(() => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    expect(onKilled).not.toHaveBeenCalled();
  });

  it('waiting: false after the grace when nothing stops the tree', async () => {
    const sentinel = startTreeKillSentinel(() => undefined);
    const started = Date.now();
    await expect(sentinel.signalledWithin(150)).resolves.toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    sentinel.retire();
  });

  it('waiting: true as soon as the sentinel is signalled during the grace', async () => {
    const sentinel = startTreeKillSentinel(() => undefined);
    const pid = sentinelPid();
    setTimeout(() => process.kill(pid, 'SIGTERM'), 50);
    const started = Date.now();
    await expect(sentinel.signalledWithin(10_000)).resolves.toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('waiting: true at once when the executor itself was told to stop', async () => {
    const sentinel = startTreeKillSentinel(() => undefined);
    const stop = new AbortController();
    stop.abort();
    const started = Date.now();
    await expect(sentinel.signalledWithin(10_000, stop.signal)).resolves.toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    sentinel.retire();
  });
  // Each case calls the check, then signals the sentinel at once: only a check that gives a grace sees it.
  it.each<[string, { msSinceChildProcessExit?: number }, boolean]>([
    ['no child process decided the outcome: no grace, the answer is taken at once', {}, false],
    ['a child process exited just now: the grace waits for a signal on its way', { msSinceChildProcessExit: 0 }, true],
    ['a child process exited longer ago than the grace: nothing left to wait', { msSinceChildProcessExit: STOP_GRACE_MS + 1 }, false],
  ])('stop check: %s', async (_name, check, stopSeen) => {
    const sentinel = startTreeKillSentinel(() => undefined);
    const pid = sentinelPid();
    const answer = stopCheckOf(sentinel, new AbortController().signal)(check);
    process.kill(pid, 'SIGTERM');
    await expect(answer).resolves.toBe(stopSeen);
  });
});
