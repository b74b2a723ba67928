import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLUGIN_OPTIONS } from '../task-spec/plugin-options';
import type { TaskSpec } from '../task-spec/schema';
import { defineAgentAdapter, type AgentRunRequest } from './agent-adapter';
import { runAgentTask, type RunAgentTaskRequest } from './run-agent-task';
import { fakeTask } from '../testing/fake-agent-runs';
import { resolvedRun } from '../testing/resolved-run';

// The verify gate with the real scripted agent and real checks (sh), in a plain temp folder.
let workspaceRoot: string;
beforeEach(() => (workspaceRoot = mkdtempSync(join(tmpdir(), 'verify-run-'))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

const CHECK = 'grep -q fixed apps/api/answer.txt || { echo "answer.txt is still broken"; exit 3; }';

function task(overrides: Partial<TaskSpec>): TaskSpec {
  return fakeTask({ id: 'answer', prompt: 'Write the answer.', agent: undefined, file: 'apps/api/answer.agent.md', verify: [CHECK], ...overrides });
}

async function run(spec: TaskSpec, createAdapter?: RunAgentTaskRequest['createAdapter'], extra: Partial<RunAgentTaskRequest> = {}) {
  const log: string[] = [];
  const record = await runAgentTask({
    workspaceRoot,
    run: resolvedRun(spec, { ...DEFAULT_PLUGIN_OPTIONS, defaultAgent: 'scripted' }),
    upstream: [],
    signal: new AbortController().signal,
    log: (line) => log.push(line),
    ...(createAdapter ? { createAdapter } : {}),
    ...extra,
  });
  return { record, log };
}

describe('runAgentTask with verify checks', () => {
  it('gives a failed check back to the agent, which fixes it on the follow-up: success in 2 rounds, both recorded', async () => {
    const { record, log } = await run(
      task({ script: { files: { 'answer.txt': 'broken\n' }, followUps: [{ summary: 'Fixed it.', files: { 'answer.txt': 'fixed\n' } }] } }),
    );
    expect(record.status).toBe('succeeded');
    expect(record.summary).toBe('Fixed it.');
    expect(record.attempts).toBe(2);
    expect(record.verification).toMatchObject({
      maxAttempts: 2,
      passed: true,
      rounds: [
        { round: 1, turn: 'first', passed: false, checks: [{ check: CHECK, passed: false, exitCode: 3, output: 'answer.txt is still broken' }] },
        { round: 2, turn: 'resumed', passed: true, checks: [{ check: CHECK, passed: true, exitCode: 0 }] },
      ],
    });
    expect(readFileSync(join(workspaceRoot, 'apps/api/answer.txt'), 'utf8')).toBe('fixed\n');
    expect(log).toContainEqual(expect.stringContaining('verify failed'));
    // The follow-up prompt carried the check's output.
    const transcript = readFileSync(join(workspaceRoot, '.agent-runs/api/answer/transcript.jsonl'), 'utf8');
    const prompts = transcript
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; prompt?: string; turn?: string })
      .filter((entry) => entry.type === 'prompt');
    expect(prompts).toHaveLength(2);
    expect(prompts[0].prompt).toContain('How this task is verified');
    expect(prompts[1]).toMatchObject({ turn: 'resumed', prompt: expect.stringContaining('answer.txt is still broken') });
  });

  it('fails after verifyAttempts rounds when the check never passes, naming the check', async () => {
    const { record } = await run(task({ verifyAttempts: 3, script: { files: { 'answer.txt': 'broken\n' } } }));
    expect(record.status).toBe('failed');
    expect(record.error).toBe(`verify failed after 3 attempts: ${CHECK}`);
    expect(record.verification?.rounds.map((round) => [round.round, round.passed])).toEqual([
      [1, false],
      [2, false],
      [3, false],
    ]);
    expect(record.attempts).toBe(3);
  });

  it('a task without checks runs one turn and records no verification', async () => {
    const { record } = await run(task({ verify: undefined, script: { files: { 'answer.txt': 'broken\n' } } }));
    expect(record.status).toBe('succeeded');
    expect(record.verification).toBeUndefined();
  });

  // The scripted agent runs in this process: only the checks' processes could have been ended by a stop.
  it.each<[string, string[] | undefined, boolean]>([
    ['with a check, the stop check is told of its exit', ['true'], true],
    ['without checks, of no child process', undefined, false],
  ])('an in-process agent %s', async (_name, verify, toldOfExit) => {
    const stopRequested = jest.fn((_check: { msSinceChildProcessExit?: number }) => false);
    const { record } = await run(task({ verify, script: { files: { 'answer.txt': 'fixed\n' } } }), undefined, { stopRequested });
    expect(record.status).toBe('succeeded');
    expect(stopRequested).toHaveBeenCalledTimes(1);
    const [check] = stopRequested.mock.calls[0];
    expect(check.msSinceChildProcessExit !== undefined).toBe(toldOfExit);
    if (toldOfExit) expect(check.msSinceChildProcessExit).toBeGreaterThanOrEqual(0);
  });

  it('a provider that cannot resume gets a new session that restates the task, the previous summary and the failed output', async () => {
    const requests: AgentRunRequest[] = [];
    const adapter = defineAgentAdapter({
      provider: 'command',
      async run(request) {
        requests.push(request);
        mkdirSync(join(request.cwd, 'apps/api'), { recursive: true });
        writeFileSync(join(request.cwd, 'apps/api/answer.txt'), requests.length === 1 ? 'broken\n' : 'fixed\n');
        return { summary: `turn ${requests.length}`, model: 'command', turns: 1, inputTokens: 0, outputTokens: 0, filesWritten: ['apps/api/answer.txt'] };
      },
    });
    const { record } = await run(task({}), () => adapter);
    expect(record.status).toBe('succeeded');
    expect(requests.map((request) => request.resumeSessionId)).toEqual([undefined, undefined]);
    expect(requests[1].prompt).toContain('Write the answer.');
    expect(requests[1].prompt).toContain('## A previous attempt at this task');
    expect(requests[1].prompt).toContain('turn 1');
    expect(requests[1].prompt).toContain('answer.txt is still broken');
    expect(record.verification?.rounds.map((round) => round.turn)).toEqual(['first', 'fresh']);
    expect(record.turns).toBe(2);
  });

  it("a follow-up is not started once the task's maxTokens are spent: the limits count it as another attempt", async () => {
    const { record } = await run(task({ maxTokens: 10, script: { files: { 'answer.txt': 'broken\n' } } }));
    expect(record.status).toBe('failed');
    expect(record.error).toBe("not retried: the task's maxTokens 10 are spent");
    expect(record.attempts).toBe(1);
    expect(record.verification?.rounds).toHaveLength(1);
  });
});
