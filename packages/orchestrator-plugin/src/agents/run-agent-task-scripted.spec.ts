import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLUGIN_OPTIONS, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import type { ScriptSpec, TaskSpec } from '../task-spec/schema';
import { runAgentTask, type RunAgentTaskRequest } from './run-agent-task';
import { RUN_RECORD_FILE, runRecordFolder, TRANSCRIPT_FILE } from '../runs/run-folders';
import { readRunRecord, type RunRecord } from '../runs/run-record';
import { fakeTask } from '../testing/fake-agent-runs';
import { resolvedRun } from '../testing/resolved-run';

// End to end with the real scripted agent (no injected adapter): real files, real timers.
const OPTIONS: NormalizedPluginOptions = {
  ...DEFAULT_PLUGIN_OPTIONS,
  defaultAgent: 'scripted',
  agents: { planner: { provider: 'scripted', systemPrompt: 'Plan.', script: { summary: 'Profile default summary.' } } },
};

let workspaceRoot: string;
beforeEach(() => (workspaceRoot = mkdtempSync(join(tmpdir(), 'scripted-run-'))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

const task = (id: string, script: ScriptSpec | undefined, overrides: Partial<TaskSpec> = {}): TaskSpec =>
  fakeTask({ id, prompt: `Do ${id}.`, agent: undefined, script, file: `apps/api/${id}.agent.md`, ...overrides });

function run(spec: TaskSpec, overrides: Partial<RunAgentTaskRequest> = {}) {
  const log: string[] = [];
  const record = runAgentTask({
    workspaceRoot,
    run: resolvedRun(spec, OPTIONS),
    upstream: [],
    signal: new AbortController().signal,
    log: (line) => log.push(line),
    ...overrides,
  });
  return { record, log };
}

function transcriptOf(record: RunRecord): Array<Record<string, unknown>> {
  const path = join(workspaceRoot, runRecordFolder(record.project, record.task), TRANSCRIPT_FILE);
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('runAgentTask with the scripted agent', () => {
  it('marks its token counts as estimates in the record and in its output', async () => {
    const { record, log } = run(task('estimate', { summary: 'Done.' }));
    const done = await record;
    expect(done.tokens).toEqual({ input: 3, output: 2, estimated: true });
    expect(log).toContainEqual(expect.stringMatching(/ · ~3 tokens in \/ ~2 out \(estimated\) · \$0\.0000$/));
  });

  it("writes the script's files, result.json and transcript.jsonl", async () => {
    const record = await run(
      task('write-api', { summary: 'Wrote the API.', files: { 'src/api.ts': 'export {};\n', '{workspaceRoot}/docs/api.md': '# API\n' } }),
    ).record;
    expect(record).toMatchObject({
      status: 'succeeded',
      agent: 'scripted',
      provider: 'scripted',
      model: 'scripted',
      attempts: 1,
      turns: 1,
      costUsd: 0,
      costSource: 'client',
      summary: 'Wrote the API.',
      filesWritten: ['apps/api/src/api.ts', 'docs/api.md'],
    });
    expect(record.durationMs).toBe(Date.parse(record.endedAt) - Date.parse(record.startedAt));
    expect(readFileSync(join(workspaceRoot, 'apps/api/src/api.ts'), 'utf8')).toBe('export {};\n');
    expect(readFileSync(join(workspaceRoot, 'docs/api.md'), 'utf8')).toBe('# API\n');
    expect(JSON.parse(readFileSync(join(workspaceRoot, '.agent-runs/api/write-api', RUN_RECORD_FILE), 'utf8'))).toEqual(record);
    const transcript = transcriptOf(record);
    expect(transcript[0]).toMatchObject({ type: 'prompt', prompt: 'Do write-api.' });
    expect(transcript.filter((entry) => entry.type === 'event').map((entry) => (entry.event as { type: string }).type)).toEqual([
      'status',
      'turn',
      'tool',
      'file',
      'tool',
      'file',
      'usage',
    ]);
    expect(transcript[transcript.length - 1]).toMatchObject({ type: 'result', status: 'succeeded' });
    expect(transcript.every((entry) => !Number.isNaN(Date.parse(entry.time as string)))).toBe(true);
  });

  it.each<[string, ScriptSpec, number, Partial<RunRecord>]>([
    ['one transient failure, then success', { failAttempts: 1 }, 2, { status: 'succeeded', attempts: 2 }],
    ['transient failures up to the retries, then success', { failAttempts: 2 }, 2, { status: 'succeeded', attempts: 3 }],
    ['more transient failures than retries', { failAttempts: 3 }, 1, { status: 'failed', attempts: 2 }],
    ['a permanent failure is not retried', { fail: 'cannot compile' }, 2, { status: 'failed', attempts: 1, error: 'scripted failure: cannot compile' }],
    [
      'a file outside the workspace fails the run',
      { files: { '../../../outside.txt': 'x' } },
      2,
      { status: 'failed', attempts: 1, error: 'scripted agent refuses to write "../../../outside.txt": outside the workspace' },
    ],
  ])('%s', async (_name, script, retries, expected) => {
    const { record, log } = run(task('flaky', script, { retries }));
    await expect(record).resolves.toMatchObject(expected);
    if ((expected.attempts ?? 1) > 1) expect(log).toContain(`  attempt ${expected.attempts} of ${retries + 1}`);
  });

  it('the task timeout stops a long script: timed-out, quickly', async () => {
    const started = Date.now();
    const record = await run(task('slow', { duration: 60_000, files: { 'a.txt': 'x' } }, { timeoutMs: 100 })).record;
    expect(record).toMatchObject({ status: 'timed-out', error: 'timed out after 100ms (timeout in apps/api/slow.agent.md)' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(existsSync(join(workspaceRoot, 'apps/api/a.txt'))).toBe(false);
  });

  it.each<[string, (stop: AbortController) => Partial<RunAgentTaskRequest>, ScriptSpec]>([
    ['Ctrl-C while the script works', (stop) => (setTimeout(() => stop.abort(), 30), { signal: stop.signal }), { duration: 60_000 }],
    ['Ctrl-C while waiting to retry', (stop) => ({ signal: stop.signal, log: (line) => line.includes('retrying') && stop.abort() }), { failAttempts: 5 }],
    ['a stop requested by the time the script succeeds', () => ({ stopRequested: () => true }), {}],
  ])('interrupted: %s', async (_name, arrange, script) => {
    const stop = new AbortController();
    const started = Date.now();
    const record = await runAgentTask({
      workspaceRoot,
      run: resolvedRun(task('stopped', script, { retries: 5 }), OPTIONS),
      upstream: [],
      signal: stop.signal,
      log: () => undefined,
      ...arrange(stop),
    });
    expect(record.status).toBe('interrupted');
    expect(readRunRecord(workspaceRoot, 'api', 'stopped')?.status).toBe('interrupted');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('a dependent task receives the summaries of its succeeded upstream tasks, in its transcript prompt', async () => {
    await run(task('design', { summary: 'Designed GET /users and POST /users.' })).record;
    await run(task('broken', { fail: 'no' })).record;
    const upstream = [
      { project: 'api', task: 'design' },
      { project: 'api', task: 'broken' },
    ];
    const { record, log } = run(task('implement', { summary: 'Implemented.' }), { upstream });
    const dependent = await record;
    expect(dependent).toMatchObject({ status: 'succeeded', upstream: ['api:design', 'api:broken'] });
    const prompt = transcriptOf(dependent)[0].prompt as string;
    expect(prompt).toBe('Do implement.\n\n## Results of the tasks this one depends on\n\n### api:design\nDesigned GET /users and POST /users.');
    expect(log[0]).toBe('api:implement · agent scripted (scripted) · 1 upstream summary');
  });

  it.each<[string, ScriptSpec | undefined, string]>([
    ["a profile's script is the default", undefined, 'Profile default summary.'],
    ["the task's script wins over the profile's", { summary: 'Task summary.' }, 'Task summary.'],
  ])('%s', async (_name, script, expected) => {
    const record = await run(task('planned', script, { agent: 'planner' })).record;
    expect(record).toMatchObject({ status: 'succeeded', agent: 'planner', provider: 'scripted', summary: expected });
    expect(transcriptOf(record)[0]).toMatchObject({ systemPrompt: 'Plan.' });
  });
});
