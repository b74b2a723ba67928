import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathOutsideError } from '../task-spec/path-safety';
import { buildRunSummary } from './run-summary';
import { readRunSummary, runSummaryPath, writeRunSummary } from './run-summary-file';

let workspaceRoot: string;
let outside: string;
beforeEach(() => {
  workspaceRoot = mkdtempSync(join(tmpdir(), 'run-summary-file-'));
  outside = mkdtempSync(join(tmpdir(), 'run-summary-outside-'));
});
afterEach(() => {
  for (const folder of [workspaceRoot, outside]) rmSync(folder, { recursive: true, force: true });
});

const summary = (id = 'one') =>
  buildRunSummary({ tasks: [{ task: 'api:x', status: 'skipped' }], id, argv: ['node', 'nx', 'run-many', '-t', 'agent'], startTime: 0, endTime: 1 });
const file = () => join(workspaceRoot, '.agent-runs', 'summary.json');

describe('the summary file', () => {
  it('is written as pretty JSON with a final newline, creating .agent-runs, leaving no temp file', () => {
    writeRunSummary(workspaceRoot, summary());
    expect(readFileSync(file(), 'utf8')).toBe(`${JSON.stringify(summary(), null, 2)}\n`);
    expect(readdirSync(join(workspaceRoot, '.agent-runs'))).toEqual(['summary.json']);
    expect(readRunSummary(workspaceRoot)).toEqual({ summary: summary() });
  });

  it('a second write replaces the first', () => {
    writeRunSummary(workspaceRoot, summary('one'));
    writeRunSummary(workspaceRoot, summary('two'));
    expect(readRunSummary(workspaceRoot)).toEqual({ summary: summary('two') });
  });

  it.each<[string, string | undefined, RegExp]>([
    ['missing', undefined, /summary.json does not exist yet/],
    ['not JSON (half written by something else)', '{"schemaVersion": 1, "ta', /is not JSON/],
    ['an earlier version', JSON.stringify({ ...summary(), schemaVersion: 1 }), /not a summary this version writes \(schemaVersion: /],
    ['another shape', JSON.stringify({ ...summary(), tasks: 'none' }), /\(tasks: /],
  ])('a file that is %s is reported, not trusted', (_name, content, detail) => {
    if (content !== undefined) {
      mkdirSync(join(workspaceRoot, '.agent-runs'));
      writeFileSync(file(), content);
    }
    const reading = readRunSummary(workspaceRoot);
    expect(reading).toMatchObject({ problem: content === undefined ? 'missing' : 'unreadable' });
    expect('detail' in reading && reading.detail).toMatch(detail);
  });

  it('refuses a .agent-runs that links out of the workspace, and writes nothing there', () => {
    symlinkSync(outside, join(workspaceRoot, '.agent-runs'));
    expect(() => writeRunSummary(workspaceRoot, summary())).toThrow(PathOutsideError);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses a summary.json that links out of the workspace (the atomic write would follow it)', () => {
    mkdirSync(join(workspaceRoot, '.agent-runs'));
    writeFileSync(join(outside, 'victim.json'), 'keep me');
    symlinkSync(join(outside, 'victim.json'), file());
    expect(() => writeRunSummary(workspaceRoot, summary())).toThrow(PathOutsideError);
    expect(readFileSync(join(outside, 'victim.json'), 'utf8')).toBe('keep me');
  });

  it('is at .agent-runs/summary.json of the workspace', () => {
    expect(runSummaryPath(workspaceRoot)).toBe(file());
    expect(existsSync(file())).toBe(false);
  });
});
