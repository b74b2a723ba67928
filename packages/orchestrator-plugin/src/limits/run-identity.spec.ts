import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessTable } from './process-identity';
import { RUN_ID_ENV, currentRunId, pruneRunStates, runStateFolder } from './run-identity';

function linuxTable(processes: Record<number, { commandLine: string; parent: number; start: string }>): ProcessTable {
  return {
    platform: 'linux',
    hostname: () => 'host',
    readProc: (path) => {
      const [, pid, file] = /^\/proc\/(\d+)\/(\w+)$/.exec(path) ?? [];
      const entry = processes[Number(pid)];
      if (!entry) return undefined;
      if (file === 'cmdline') return entry.commandLine.split(' ').join('\0');
      return `${pid} (node) S ${entry.parent} 1 1 0 -1 0 ${'0 '.repeat(12)}${entry.start} 100 10`;
    },
    readProcLink: () => undefined,
    psStartTime: () => undefined,
    exists: (pid) => processes[pid] !== undefined,
  };
}

describe('currentRunId', () => {
  it("takes the id Nx's invocation set through the preTasksExecution hook", () => {
    expect(currentRunId({ [RUN_ID_ENV]: '13354899989113206710' })).toBe('13354899989113206710');
  });

  it('without it, names the nx process above any per-task fork.js wrapper, by pid and start time', () => {
    const table = linuxTable({
      [process.ppid]: { commandLine: 'node /ws/node_modules/nx/dist/src/tasks-runner/fork.js /tmp/x', parent: 4_000, start: '77' },
      4_000: { commandLine: 'node /ws/node_modules/.bin/nx run-many -t agent', parent: 1, start: '55' },
    });
    expect(currentRunId({}, table)).toBe('process-4000-55');
  });

  it('ignores a malformed id rather than using it as a folder name', () => {
    const table = linuxTable({ [process.ppid]: { commandLine: 'node nx', parent: 1, start: '9' } });
    expect(currentRunId({ [RUN_ID_ENV]: '../../etc' }, table)).toBe(`process-${process.ppid}-9`);
  });
});

describe('pruneRunStates', () => {
  it('removes the state of runs idle for longer than the given age, never the current one', () => {
    const data = mkdtempSync(join(tmpdir(), 'data-'));
    const now = Date.now();
    for (const [run, ageMs] of [
      ['old', 3 * 86_400_000],
      ['recent', 60_000],
      ['current', 5 * 86_400_000],
    ] as const) {
      const folder = runStateFolder(data, run);
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'journal.jsonl'), '');
      const time = new Date(now - ageMs);
      utimesSync(join(folder, 'journal.jsonl'), time, time);
      utimesSync(folder, time, time);
    }
    pruneRunStates({ workspaceDataFolder: data, keep: 'current', olderThanMs: 86_400_000, now: () => now });
    expect(readdirSync(join(data, 'nx-agent-orchestrator', 'runs')).sort()).toEqual(['current', 'recent']);
  });
});
