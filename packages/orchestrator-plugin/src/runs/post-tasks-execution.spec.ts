import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PostTasksExecutionContext, ProjectGraph, TaskResult } from '@nx/devkit';
import { runJournalPath } from '../limits/run-identity';
import { RunJournal } from '../limits/run-journal';
import { AGENT_EXECUTOR } from '../task-spec/agent-target';
import { reportRunSummary, SUMMARY_PRINTER_VARIABLE, type RunSummaryReportRequest } from './report-run-summary';
import { writeRunRecord, type RunRecord } from './run-record';
import type { NxTaskStatus, RunSummary } from './run-summary';

// Nx fixes its workspace data directory (where the cached project graph lives) when it is first
// loaded: set it before the hook loads @nx/devkit. jest gives this file its own module registry.
const dataDirectory = mkdtempSync(join(tmpdir(), 'post-tasks-data-'));
process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDirectory;
afterAll(() => {
  delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  rmSync(dataDirectory, { recursive: true, force: true });
});

let workspaceRoot: string;
beforeEach(() => (workspaceRoot = mkdtempSync(join(tmpdir(), 'post-tasks-'))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

const record = (project: string, task: string, overrides: Partial<RunRecord> = {}): RunRecord => ({
  schemaVersion: 1,
  project,
  task,
  spec: `apps/${project}/agent-tasks.json`,
  status: 'succeeded',
  agent: 'scripted',
  provider: 'scripted',
  model: 'scripted',
  attempts: 1,
  turns: 1,
  tokens: { input: 10, output: 5 },
  costUsd: 0.01,
  costSource: 'client',
  startedAt: '2025-01-01T00:00:00.000Z',
  endedAt: '2025-01-01T00:00:01.000Z',
  durationMs: 1_000,
  summary: `${task} done`,
  filesWritten: [],
  upstream: [],
  ...overrides,
});

const agentTarget = (task: string) => ({ executor: AGENT_EXECUTOR, options: { spec: 'apps/api/agent-tasks.json', task } });

/** api: two agent tasks under `agent--` names, one under a name of the user's; a build; a look-alike by name. */
const graph: ProjectGraph = {
  nodes: {
    api: {
      name: 'api',
      type: 'lib',
      data: {
        root: 'apps/api',
        targets: {
          'agent--design': agentTarget('design'),
          'agent--implement': agentTarget('implement'),
          review: agentTarget('review'),
          'agent--skipped': agentTarget('skipped'),
          'agent--stopped': agentTarget('stopped'),
          'agent--lookalike': { executor: 'nx:run-commands', options: { command: 'echo', task: 'lookalike' } },
          agent: { executor: 'nx:noop' },
          build: { executor: 'nx:run-commands', options: { command: 'tsc' } },
        },
      },
    },
  },
  dependencies: { api: [] },
};

const result = (target: string, status: NxTaskStatus): TaskResult => ({
  task: { id: `api:${target}`, target: { project: 'api', target }, overrides: {}, outputs: [], cache: true, parallelism: true },
  status,
  code: status === 'failure' ? 1 : 0,
});

const context = (): PostTasksExecutionContext => ({
  id: 'invocation-7',
  workspaceRoot,
  nxJsonConfiguration: {},
  argv: ['node', 'nx', 'run-many', '-t', 'agent'],
  startTime: Date.parse('2025-06-01T00:00:00.000Z'),
  endTime: Date.parse('2025-06-01T00:00:30.000Z'),
  taskResults: Object.fromEntries(
    [
      result('agent--design', 'local-cache'),
      result('agent--implement', 'success'),
      result('review', 'failure'),
      result('agent--skipped', 'skipped'),
      result('agent--stopped', 'stopped'),
      result('agent--lookalike', 'success'),
      result('agent', 'success'),
      result('build', 'success'),
    ].map((taskResult) => [taskResult.task.id, taskResult]),
  ),
});

const writeRecords = () => {
  writeRunRecord(workspaceRoot, record('api', 'design', { tokens: { input: 300, output: 30 }, costUsd: 0.5, durationMs: 20_000 }));
  writeRunRecord(workspaceRoot, record('api', 'implement', { tokens: { input: 100, output: 10 }, costUsd: 0.25 }));
  writeRunRecord(workspaceRoot, record('api', 'review', { status: 'failed', error: 'exit 1' }));
  // Older runs' records: these tasks did not run in this invocation, so they must not be read.
  writeRunRecord(workspaceRoot, record('api', 'skipped', { tokens: { input: 9_999, output: 9_999 } }));
  writeRunRecord(workspaceRoot, record('api', 'stopped', { tokens: { input: 8_888, output: 8_888 } }));
};

const report = (overrides: Partial<RunSummaryReportRequest> = {}) => {
  const printed: string[] = [];
  const summary = reportRunSummary({ context: context(), projectGraph: graph, env: {}, print: (text) => printed.push(text), ...overrides });
  return { summary, printed };
};
const summaryFile = () => JSON.parse(readFileSync(join(workspaceRoot, '.agent-runs', 'summary.json'), 'utf8')) as RunSummary;

describe('reportRunSummary (the post-tasks hook)', () => {
  it('reports the agent tasks, picked by executor whatever their target name, and no other task', () => {
    writeRecords();
    const { summary } = report();
    expect(summary!.tasks.map((row) => [row.task, row.outcome])).toEqual([
      ['api:design', 'cached'],
      ['api:implement', 'ran'],
      ['api:review', 'failed'],
      ['api:skipped', 'skipped'],
      ['api:stopped', 'stopped'],
    ]);
  });

  it('reads the records of tasks that ran or were restored, never those of skipped or stopped tasks', () => {
    writeRecords();
    const { summary } = report();
    expect(summary!.totals.spent.tokens).toEqual({ input: 110, output: 15 });
    expect(summary!.totals.saved).toEqual({ tokens: { input: 300, output: 30 }, costUsd: 0.5, durationMs: 20_000 });
    for (const task of ['api:skipped', 'api:stopped']) {
      expect(summary!.tasks.find((row) => row.task === task)).toMatchObject({ tokens: { input: 0, output: 0 }, costUsd: null });
    }
  });

  it('writes .agent-runs/summary.json atomically (no temp file left) and prints the same summary once', () => {
    writeRecords();
    const { summary, printed } = report();
    expect(summaryFile()).toEqual(summary);
    expect(readdirSync(join(workspaceRoot, '.agent-runs')).sort()).toEqual(['api', 'report.html', 'summary.json']);
    expect(summary).toMatchObject({ id: 'invocation-7', command: ['run-many', '-t', 'agent'], startedAt: '2025-06-01T00:00:00.000Z' });
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^\nAgent run summary \(\.agent-runs\/summary\.json\)\n/);
    expect(printed[0]).toMatch(/\nRun report: \.agent-runs\/report\.html\n$/);
    expect(readFileSync(join(workspaceRoot, '.agent-runs', 'report.html'), 'utf8')).toContain('<html');
    expect(printed[0]).toContain('  api:design     cached (local)');
  });

  it('does not print when nx-agents will (it prints after nx exits), but still writes the file', () => {
    writeRecords();
    const { summary, printed } = report({ env: { [SUMMARY_PRINTER_VARIABLE]: 'nx-agents' } });
    expect(printed).toEqual([]);
    expect(summaryFile()).toEqual(summary);
  });

  it('leaves the previous summary alone when the invocation ran no agent task', () => {
    mkdirSync(join(workspaceRoot, '.agent-runs'));
    writeFileSync(join(workspaceRoot, '.agent-runs', 'summary.json'), 'previous');
    const onlyBuild = { ...context(), taskResults: { 'api:build': result('build', 'success') } };
    const { summary, printed } = report({ context: onlyBuild });
    expect(summary).toBeUndefined();
    expect(printed).toEqual([]);
    expect(readFileSync(join(workspaceRoot, '.agent-runs', 'summary.json'), 'utf8')).toBe('previous');
  });

  it('finds no agent task without a project graph (and writes nothing)', () => {
    expect(report({ projectGraph: undefined })).toEqual({ summary: undefined, printed: [] });
    expect(readdirSync(workspaceRoot)).toEqual([]);
  });

  it('a summary it may not write is said in the table, and the hook does not throw (the run stays green)', () => {
    const outside = mkdtempSync(join(tmpdir(), 'post-tasks-outside-'));
    try {
      symlinkSync(outside, join(workspaceRoot, '.agent-runs'));
      const { summary, printed } = report();
      expect(summary!.tasks).toHaveLength(5);
      expect(printed[0]).toMatch(/\(not written: refusing to use .*outside/);
      expect(printed[0]).toMatch(/\(run report not written: refusing to use .*outside/);
      expect(readdirSync(outside)).toEqual([]);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('postTasksExecution', () => {
  it("reads the project graph Nx cached for the invocation, and the run's limits journal by its id, writes the summary and prints it on stdout", () => {
    writeFileSync(join(dataDirectory, 'project-graph.json'), JSON.stringify({ ...graph, computedAt: Date.now() }));
    writeRecords();
    // What the invocation's tasks wrote into its journal in Nx's workspace data folder; another run's is not read.
    new RunJournal(runJournalPath(dataDirectory, 'invocation-7')).append({
      type: 'slot-waited',
      at: 1,
      task: 'api:implement',
      pool: 'anthropic',
      waitedMs: 2_000,
    });
    new RunJournal(runJournalPath(dataDirectory, 'invocation-6')).append({ type: 'slot-waited', at: 1, task: 'api:implement', pool: 'codex', waitedMs: 9_000 });
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((text) => (printed.push(String(text)), true));
    try {
      const { postTasksExecution } = require('./post-tasks-execution') as typeof import('./post-tasks-execution');
      postTasksExecution(undefined, context());
    } finally {
      write.mockRestore();
    }
    expect(summaryFile().tasks.map((row) => row.task)).toEqual(['api:design', 'api:implement', 'api:review', 'api:skipped', 'api:stopped']);
    expect(printed.join('')).toContain('1 ran, 1 cached, 1 failed, 1 skipped, 1 stopped');
    expect(summaryFile().limits?.slotWaits).toEqual({ tasks: 1, totalMs: 2_000, byPool: { anthropic: { tasks: 1, totalMs: 2_000 } } });
    expect(printed.join('')).toContain('  waited for slots: 2.0s over 1 task(s) (anthropic 1 task(s), 2.0s)\n');
  });
});
