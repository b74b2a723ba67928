import { ProcessIdentities, startTimeFromProcStat, type ProcessTable } from './process-identity';

/** A process table with the given processes (pid -> start time), on a Linux machine named `host`. */
function table(processes: Record<number, string>, host = 'host'): ProcessTable {
  const stat = (pid: number, start: string) => `${pid} (node (worker) x) S 1 ${pid} ${pid} 0 -1 4194560 ${'0 '.repeat(12)}${start} 1000 200`;
  return {
    platform: 'linux',
    hostname: () => host,
    readProc: (path) => {
      if (path === '/proc/sys/kernel/random/boot_id') return 'boot-1\n';
      const pid = Number(/^\/proc\/(\d+)\/stat$/.exec(path)?.[1]);
      return processes[pid] === undefined ? undefined : stat(pid, processes[pid]);
    },
    readProcLink: () => 'pid:[4026531836]',
    psStartTime: () => undefined,
    exists: (pid) => processes[pid] !== undefined,
  };
}

describe('startTimeFromProcStat', () => {
  it.each([
    ['a plain name', '42 (node) S 1 42 42 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 987654 1000 200', '987654'],
    ['a name with spaces and parentheses', '42 (bash 2)( x) S 1 42 42 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 555 1000 200', '555'],
    ['no closing parenthesis', 'garbage', undefined],
  ])('reads field 22 with %s', (_name, stat, expected) => expect(startTimeFromProcStat(stat)).toBe(expected));

  it('reads this process from the real /proc', () => {
    if (process.platform !== 'linux') return;
    expect(new ProcessIdentities().identify().startTime).toMatch(/^\d+$/);
  });
});

describe('ProcessIdentities.liveness', () => {
  const identities = new ProcessIdentities(table({ 10: '500', 11: '900' }));

  it.each([
    ['running with the recorded start time', { pid: 10, startTime: '500' }, 'alive'],
    ['gone', { pid: 12, startTime: '500' }, 'dead'],
    ['reused by a process that started later', { pid: 11, startTime: '600' }, 'dead'],
    ['running, no start time recorded', { pid: 10 }, 'alive'],
  ])('an owner %s is %s', (_name, owner, expected) => {
    const machine = identities.identify(10).machine;
    expect(identities.liveness({ ...owner, machine })).toBe(expected);
  });

  it('cannot tell for a pid of another machine (or another pid namespace)', () => {
    const elsewhere = new ProcessIdentities(table({ 10: '500' }, 'other-host')).identify(10);
    expect(identities.liveness(elsewhere)).toBe('unknown');
  });
});
