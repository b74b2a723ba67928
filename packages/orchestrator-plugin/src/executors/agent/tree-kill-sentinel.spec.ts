import { execFileSync } from 'node:child_process';
import { startTreeKillSentinel } from './tree-kill-sentinel';

const sentinelPid = (): number => {
  const children = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const line = children.split('\n').find((candidate) => candidate.trim().endsWith('cat'));
  if (!line) throw new Error(`no cat child in:\n${children}`);
  return Number(line.trim().split(/\s+/)[0]);
};

const waitUntil = async (condition: () => boolean) => {
  for (let tries = 0; tries < 100 && !condition(); tries++) await new Promise((resolve) => setTimeout(resolve, 20));
};

describe('startTreeKillSentinel', () => {
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
});
