import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findWorkspaceRoot, nxCliPath, summaryOfInvocation } from './run-nx-with-summary';
import { buildRunSummary } from './run-summary';
import { writeRunSummary } from './run-summary-file';

let workspaceRoot: string;
beforeEach(() => (workspaceRoot = realpathSync(mkdtempSync(join(tmpdir(), 'nx-with-summary-')))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

const STARTED = Date.parse('2025-06-01T12:00:00.000Z');
const writeSummary = (command: string[], startTime: number) =>
  writeRunSummary(workspaceRoot, buildRunSummary({ tasks: [], id: 'x', argv: ['node', 'nx.js', ...command], startTime, endTime: startTime + 1 }));

describe('summaryOfInvocation', () => {
  const nxArguments = ['run-many', '-t', 'agent', '--parallel=3'];

  it('is the summary this command wrote after the wrapper started it', () => {
    writeSummary(nxArguments, STARTED + 1_500);
    expect(summaryOfInvocation({ workspaceRoot, nxArguments, startedAt: STARTED })?.command).toEqual(nxArguments);
  });

  it.each<[string, () => void]>([
    ['there is no summary at all', () => undefined],
    ['the summary is an older run’s (this one ran no agent task, or stopped before the hook)', () => writeSummary(nxArguments, STARTED - 1)],
    ['the summary is another command’s (run at the same time)', () => writeSummary(['run', 'api:agent'], STARTED + 10)],
    ['the summary has one argument more', () => writeSummary([...nxArguments, '--skip-nx-cache'], STARTED + 10)],
    [
      'the file is not a summary',
      () => {
        mkdirSync(join(workspaceRoot, '.agent-runs'));
        writeFileSync(join(workspaceRoot, '.agent-runs', 'summary.json'), '{}');
      },
    ],
  ])('is none when %s', (_name, arrange) => {
    arrange();
    expect(summaryOfInvocation({ workspaceRoot, nxArguments, startedAt: STARTED })).toBeUndefined();
  });
});

describe('findWorkspaceRoot', () => {
  it('is the nearest folder at or above with an nx.json', () => {
    const nested = join(workspaceRoot, 'apps', 'api', 'src');
    mkdirSync(nested, { recursive: true });
    writeFileSync(join(workspaceRoot, 'nx.json'), '{}');
    expect(findWorkspaceRoot(nested)).toBe(workspaceRoot);
    expect(findWorkspaceRoot(workspaceRoot)).toBe(workspaceRoot);
    writeFileSync(join(workspaceRoot, 'apps', 'nx.json'), '{}');
    expect(findWorkspaceRoot(nested)).toBe(join(workspaceRoot, 'apps'));
  });

  it('is undefined outside any workspace', () => {
    expect(findWorkspaceRoot(workspaceRoot)).toBeUndefined();
  });
});

describe('nxCliPath', () => {
  it('is the nx command of the nx the workspace has installed', () => {
    const repositoryRoot = resolve(__dirname, '../../../..');
    const path = nxCliPath(repositoryRoot);
    expect(path).toBe(join(repositoryRoot, 'node_modules', 'nx', 'dist', 'bin', 'nx.js'));
    expect(existsSync(path)).toBe(true);
  });

  it('says how to install nx where there is none', () => {
    expect(() => nxCliPath(workspaceRoot)).toThrow(`nx is not installed in ${workspaceRoot}: npm install --save-dev nx`);
  });
});
