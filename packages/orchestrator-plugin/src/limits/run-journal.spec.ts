import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLimitsChild } from '../testing/limits-processes';
import { RunJournal } from './run-journal';

const journalPath = () => join(mkdtempSync(join(tmpdir(), 'journal-')), 'run', 'journal.jsonl');

describe('RunJournal', () => {
  it('reads nothing before anything was written, then every event in order', () => {
    const path = journalPath();
    const reader = new RunJournal(path);
    expect(reader.read()).toEqual([]);
    const writer = new RunJournal(path);
    writer.append({ type: 'finished', at: 1, task: 'a' });
    writer.append({ type: 'finished', at: 2, task: 'b' });
    expect(reader.read().map((event) => event.task)).toEqual(['a', 'b']);
    writer.append({ type: 'refused', at: 3, task: 'c', reason: 'budget', budget: { costUsd: 1 } });
    expect(reader.read().map((event) => event.task)).toEqual(['a', 'b', 'c']);
  });

  it('keeps a line still being written for the next read, and skips broken or unknown lines', () => {
    const path = journalPath();
    const journal = new RunJournal(path);
    journal.append({ type: 'finished', at: 1, task: 'a' });
    appendFileSync(path, '{"type":"finished","at":2,');
    expect(journal.read()).toHaveLength(1);
    appendFileSync(path, '"task":"b"}\nnot json\n{"type":"from-a-newer-version","at":3,"task":"x"}\n');
    expect(journal.read().map((event) => event.task)).toEqual(['a', 'b']);
  });

  it('keeps a character whose bytes arrive in two reads whole', () => {
    const path = journalPath();
    const journal = new RunJournal(path);
    journal.append({ type: 'finished', at: 0, task: 'start' });
    journal.read();
    const line = Buffer.from(`${JSON.stringify({ type: 'refused', at: 1, task: 'a', reason: 'budget spent – 5 €' })}\n`);
    const cut = line.indexOf(Buffer.from('€')) + 1;
    appendFileSync(path, line.subarray(0, cut));
    journal.read();
    appendFileSync(path, line.subarray(cut));
    expect(journal.read().at(-1)).toMatchObject({ reason: 'budget spent – 5 €' });
  });

  it('starts over when the file was replaced by a shorter one', () => {
    const path = journalPath();
    const journal = new RunJournal(path);
    journal.append({ type: 'finished', at: 1, task: 'a' });
    journal.append({ type: 'finished', at: 2, task: 'b' });
    journal.read();
    writeFileSync(path, `${JSON.stringify({ type: 'finished', at: 3, task: 'c' })}\n`);
    expect(journal.read().map((event) => event.task)).toEqual(['c']);
  });
});

describe('RunJournal across processes', () => {
  it('loses and tears no line when six processes append at once', async () => {
    const path = journalPath();
    const children = Array.from({ length: 6 }, (_, index) =>
      startLimitsChild({ action: 'append', journal: path, task: `task-${index}`, count: 300, log: `${path}.log` }),
    );
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0, 0, 0, 0]);
    const events = new RunJournal(path).read();
    expect(events).toHaveLength(1_800);
    for (let index = 0; index < 6; index++) {
      const reasons = events.filter((event) => event.task === `task-${index}`).map((event) => (event as { reason: string }).reason.split(' ')[1]);
      expect(reasons).toEqual(Array.from({ length: 300 }, (_, number) => String(number)));
    }
  }, 60_000);
});
