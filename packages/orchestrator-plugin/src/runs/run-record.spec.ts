import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PathOutsideError } from '../task-spec/path-safety';
import { RUN_RECORD_FILE, runRecordFolder, TRANSCRIPT_FILE } from './run-folders';
import { clearRunRecord, readRunRecord, runRecordPath, writeRunRecord, type RunRecord } from './run-record';

let workspaceRoot: string;
beforeEach(() => (workspaceRoot = mkdtempSync(join(tmpdir(), 'run-record-'))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

const record = (overrides: Partial<RunRecord> = {}): RunRecord => ({
  schemaVersion: 1,
  project: 'api',
  task: 'write-api',
  spec: 'apps/api/write-api.agent.md',
  status: 'succeeded',
  agent: 'implementer',
  provider: 'scripted',
  model: 'scripted',
  attempts: 1,
  turns: 1,
  tokens: { input: 10, output: 5 },
  costUsd: 0,
  costSource: 'client',
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:01.000Z',
  durationMs: 1_000,
  summary: 'done',
  filesWritten: ['apps/api/src/a.ts'],
  upstream: [],
  ...overrides,
});

describe('run records', () => {
  it.each<[string, string, string, string]>([
    ['plain names', 'api', 'write-api', join('.agent-runs', 'api', 'write-api')],
    ['decomposition ids with dots', 'auth', '1.3', join('.agent-runs', 'auth', '1.3')],
    ['a scoped project', '@org/api', 'x', join('.agent-runs', '@org%2Fapi', 'x')],
    ['a project named like a path', '../..', 'x', join('.agent-runs', '%2E.%2F..', 'x')],
  ])('folder: %s', (_name, project, task, expected) => expect(runRecordFolder(project, task)).toBe(expected));

  it.each<[string, RunRecord]>([
    ['a success', record()],
    ['a failure with unknown cost', record({ status: 'failed', costUsd: null, costSource: 'unknown', error: 'exit 1', attempts: 3 })],
  ])('writes and reads back %s, as pretty JSON with a final newline and no temp file left', (_name, written) => {
    writeRunRecord(workspaceRoot, written);
    expect(readRunRecord(workspaceRoot, written.project, written.task)).toEqual(written);
    const folder = join(workspaceRoot, runRecordFolder(written.project, written.task));
    expect(readdirSync(folder)).toEqual([RUN_RECORD_FILE]);
    expect(readFileSync(join(folder, RUN_RECORD_FILE), 'utf8')).toBe(`${JSON.stringify(written, null, 2)}\n`);
  });

  it('a second write replaces the first', () => {
    writeRunRecord(workspaceRoot, record({ summary: 'first' }));
    writeRunRecord(workspaceRoot, record({ summary: 'second' }));
    expect(readRunRecord(workspaceRoot, 'api', 'write-api')?.summary).toBe('second');
  });

  it.each<[string, string | undefined]>([
    ['no record', undefined],
    ['half-written JSON', '{"status": "succ'],
    ['empty file', ''],
  ])('reading %s gives undefined', (_name, content) => {
    if (content !== undefined) {
      mkdirSync(join(workspaceRoot, runRecordFolder('api', 'write-api')), { recursive: true });
      writeFileSync(join(workspaceRoot, runRecordFolder('api', 'write-api'), RUN_RECORD_FILE), content);
    }
    expect(readRunRecord(workspaceRoot, 'api', 'write-api')).toBeUndefined();
  });

  it('clearing removes the record and the transcript of that task only, and tolerates a missing folder', () => {
    writeRunRecord(workspaceRoot, record());
    writeFileSync(join(workspaceRoot, runRecordFolder('api', 'write-api'), TRANSCRIPT_FILE), '{}\n');
    writeRunRecord(workspaceRoot, record({ task: 'other' }));
    clearRunRecord(workspaceRoot, 'api', 'write-api');
    expect(existsSync(join(workspaceRoot, runRecordFolder('api', 'write-api')))).toBe(false);
    expect(readRunRecord(workspaceRoot, 'api', 'other')).toBeDefined();
    expect(() => clearRunRecord(workspaceRoot, 'api', 'never-ran')).not.toThrow();
  });

  it('keeps a name that reads as a path inside .agent-runs, for removing and for writing', () => {
    const outside = mkdtempSync(join(tmpdir(), 'run-record-outside-'));
    const workspace = join(outside, 'workspace');
    mkdirSync(join(outside, 'x'), { recursive: true });
    writeFileSync(join(outside, 'x', 'keep.txt'), 'keep');
    try {
      mkdirSync(workspace);
      clearRunRecord(workspace, '../..', 'x');
      writeRunRecord(workspace, record({ project: '../..', task: 'x' }));
      expect(readdirSync(join(outside, 'x'))).toEqual(['keep.txt']);
      expect(runRecordPath(workspace, '../..', 'x').startsWith(join(workspace, '.agent-runs') + '/')).toBe(true);
      expect(readRunRecord(workspace, '../..', 'x')?.project).toBe('../..');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('gives project "@org" task "api" and project "@org/api" folders of their own', () => {
    writeRunRecord(workspaceRoot, record({ project: '@org', task: 'api', summary: 'scope' }));
    writeRunRecord(workspaceRoot, record({ project: '@org/api', task: 'api', summary: 'scoped project' }));
    expect(readRunRecord(workspaceRoot, '@org', 'api')?.summary).toBe('scope');
    expect(readRunRecord(workspaceRoot, '@org/api', 'api')?.summary).toBe('scoped project');
  });

  it('refuses to remove or write through a .agent-runs that links outside the workspace', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'run-record-elsewhere-'));
    try {
      mkdirSync(join(elsewhere, 'api', 'write-api'), { recursive: true });
      writeFileSync(join(elsewhere, 'api', 'write-api', 'keep.txt'), 'keep');
      symlinkSync(elsewhere, join(workspaceRoot, '.agent-runs'));
      expect(() => clearRunRecord(workspaceRoot, 'api', 'write-api')).toThrow(PathOutsideError);
      expect(() => writeRunRecord(workspaceRoot, record())).toThrow(PathOutsideError);
      expect(readdirSync(join(elsewhere, 'api', 'write-api'))).toEqual(['keep.txt']);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
