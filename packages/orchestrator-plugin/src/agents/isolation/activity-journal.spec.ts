import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startActivity, type ActivityEntry } from './activity-journal';

let folder: string;
beforeEach(() => (folder = mkdtempSync(join(tmpdir(), 'activity-'))));
afterEach(() => rmSync(folder, { recursive: true, force: true }));

function clock(start: number) {
  let time = start;
  return { now: () => time, advance: (milliseconds: number) => (time += milliseconds) };
}

const run = (task: string, now: () => number) => startActivity({ folder, project: 'app', task, writes: [`app/${task}/**`], isolation: 'shared', now });

describe('startActivity', () => {
  it('tells a run which others overlapped it: running, started later, or ended inside its window, not those that ended before', () => {
    const time = clock(1_000);
    const before = run('before', time.now);
    time.advance(10);
    before.end();
    time.advance(10);
    const self = run('self', time.now);
    const alongside = run('alongside', time.now);
    time.advance(10);
    const later = run('later', time.now);
    time.advance(10);
    later.end();
    expect(
      self
        .overlapping()
        .map((entry) => entry.task)
        .sort(),
    ).toEqual(['alongside', 'later']);
    self.end();
    alongside.end();
    // A run that starts after both ended overlaps neither.
    time.advance(10);
    expect(
      run('next', time.now)
        .overlapping()
        .map((entry) => entry.task),
    ).toEqual([]);
  });

  it('marks a run whose process died without recording its end as ended when the next run starts', () => {
    const deadPid = spawnSync('true').pid;
    expect(deadPid).toBeGreaterThan(0);
    const crashed: ActivityEntry = { project: 'app', task: 'crashed', writes: [], isolation: 'shared', pid: deadPid, hostname: hostname(), startedAt: 500 };
    writeFileSync(join(folder, 'app+crashed.json'), JSON.stringify(crashed));
    const time = clock(1_000);
    const self = run('self', time.now);
    expect(JSON.parse(readFileSync(join(folder, 'app+crashed.json'), 'utf8')).endedAt).toBe(1_000);
    // It ended at the latest when this run started: it does not count against runs that start later.
    time.advance(5);
    expect(
      run('later', time.now)
        .overlapping()
        .map((entry) => entry.task),
    ).toEqual(['self']);
    self.end();
  });

  it('drops runs that ended more than a day ago, and skips files it cannot read', () => {
    const time = clock(0);
    run('old', time.now).end();
    writeFileSync(join(folder, 'garbage.json'), '{not json');
    time.advance(25 * 60 * 60 * 1000);
    const self = run('self', time.now);
    expect(readdirSync(folder).sort()).toEqual(['app+self+' + process.pid + '+' + time.now() + '.json', 'garbage.json']);
    expect(self.overlapping()).toEqual([]);
  });
  it('an ended run is one file whose name carries its times: a day later it goes by its name, even when it cannot be read', () => {
    const time = clock(1_000);
    const ended = run('ended', time.now);
    time.advance(10);
    ended.end();
    expect(readdirSync(folder)).toEqual([`app+ended+${process.pid}+1000.ended-1010.json`]);
    expect(JSON.parse(readFileSync(join(folder, `app+ended+${process.pid}+1000.ended-1010.json`), 'utf8'))).toMatchObject({ startedAt: 1_000, endedAt: 1_010 });
    writeFileSync(join(folder, 'app+unreadable+1+0.ended-5.json'), '{not json');
    time.advance(25 * 60 * 60 * 1000);
    run('self', time.now);
    expect(readdirSync(folder)).toEqual([`app+self+${process.pid}+${time.now()}.json`]);
  });

  it('a run caught between writing its end and removing its running file counts once, as ended', () => {
    const entry: ActivityEntry = { project: 'app', task: 'ending', writes: [], isolation: 'shared', pid: process.pid, hostname: hostname(), startedAt: 900 };
    writeFileSync(join(folder, 'app+ending+1+900.json'), JSON.stringify(entry));
    writeFileSync(join(folder, 'app+ending+1+900.ended-1005.json'), JSON.stringify({ ...entry, endedAt: 1_005 }));
    const time = clock(1_000);
    const self = run('self', time.now);
    time.advance(10);
    expect(self.overlapping()).toEqual([{ ...entry, endedAt: 1_005 }]);
  });
  it('a dead run of this version is marked ended by renaming it to its ended name', () => {
    // A process that has exited (and been reaped by spawnSync): its pid runs nothing.
    const deadPid = spawnSync('true').pid;
    expect(deadPid).toBeGreaterThan(0);
    const crashed: ActivityEntry = { project: 'app', task: 'crashed', writes: [], isolation: 'shared', pid: deadPid, hostname: hostname(), startedAt: 500 };
    writeFileSync(join(folder, `app+crashed+${deadPid}+500.json`), JSON.stringify(crashed));
    run('self', clock(1_000).now);
    expect(readdirSync(folder).sort()).toEqual([`app+crashed+${deadPid}+500.ended-1000.json`, `app+self+${process.pid}+1000.json`]);
  });
});
