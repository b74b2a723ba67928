import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { removeAbandonedTemporaryFiles, temporaryEntryPath } from './temporary-entry-files';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const MINUTE = 60_000;

describe('temporary files of uploads', () => {
  it('are named <hash>.<pid>.<random>.tmp beside the entry, different each time', () => {
    const first = temporaryEntryPath('/cache/123', 42);
    expect(first).toMatch(/^\/cache\/123\.42\.[0-9a-f]{12}\.tmp$/);
    expect(temporaryEntryPath('/cache/123', 42)).not.toBe(first);
  });

  it.each([
    { name: 'written by this very pid (an earlier process that had it)', pid: 100, alive: [100], ageMinutes: 0, removed: true },
    { name: 'written by a pid no process has', pid: 200, alive: [], ageMinutes: 0, removed: true },
    { name: 'written by a live process a moment ago', pid: 300, alive: [300], ageMinutes: 0, removed: false },
    { name: 'written to by a live pid just within the request timeout', pid: 300, alive: [300], ageMinutes: 4.9, removed: false },
    { name: 'untouched for longer than any upload may take, whoever wrote it', pid: 300, alive: [300], ageMinutes: 5.1, removed: true },
  ])('are removed at start when $name: $removed', ({ pid, alive, ageMinutes, removed }) => {
    const directory = mkdtempSync(join(tmpdir(), 'cache-leftovers-'));
    const name = basename(temporaryEntryPath(join(directory, '987'), pid));
    writeFileSync(join(directory, name), 'part of an entry');
    const modified = (NOW - ageMinutes * MINUTE) / 1000;
    utimesSync(join(directory, name), modified, modified);
    const result = removeAbandonedTemporaryFiles({ directory, ownPid: 100, isProcessAlive: (id) => alive.includes(id), now: NOW, staleAfterMs: 5 * MINUTE });
    expect(result).toEqual(removed ? [name] : []);
    expect(readdirSync(directory)).toEqual(removed ? [] : [name]);
  });

  it('leave entries and other files alone, however old', () => {
    const directory = mkdtempSync(join(tmpdir(), 'cache-leftovers-'));
    const names = ['123', '123.tmp', 'notes.txt', '123.abc.def.tmp', '1.2.3.4.tmp'];
    for (const name of names) {
      writeFileSync(join(directory, name), '');
      utimesSync(join(directory, name), 0, 0);
    }
    expect(removeAbandonedTemporaryFiles({ directory, ownPid: 1, isProcessAlive: () => false, now: NOW, staleAfterMs: MINUTE })).toEqual([]);
    expect(readdirSync(directory).sort()).toEqual([...names].sort());
  });
});
