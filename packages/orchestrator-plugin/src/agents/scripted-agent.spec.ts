import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, type AgentEvent, type AgentRunRequest } from './agent-adapter';
import { createScriptedAgent } from './scripted-agent';
import type { ScriptSpec } from '../task-spec/schema';

let root: string;
let workspaceRoot: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'scripted-'));
  workspaceRoot = join(root, 'workspace');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function request(script: ScriptSpec | undefined, overrides: Partial<AgentRunRequest> = {}): AgentRunRequest & { events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  return {
    taskId: 'write-api',
    prompt: 'x'.repeat(40),
    cwd: workspaceRoot,
    workspaceRoot,
    projectRoot: 'apps/api',
    attempt: 1,
    providerOptions: script ? { scripted: { script } } : {},
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    events,
    ...overrides,
  };
}

describe('scripted agent', () => {
  it.each<[string, string, string, string]>([
    ['relative to the project root', 'apps/api', 'src/a.ts', 'apps/api/src/a.ts'],
    ['{workspaceRoot}/ is the workspace root', 'apps/api', '{workspaceRoot}/docs/notes.md', 'docs/notes.md'],
    ['{projectRoot}/ is the project root', 'apps/api', '{projectRoot}/README.md', 'apps/api/README.md'],
    ['a root project', '.', 'out.txt', 'out.txt'],
    ['.. that stays inside the workspace', 'apps/api', '../web/x.txt', 'apps/web/x.txt'],
    ['a name that starts with two dots is still inside', 'apps/api', '{workspaceRoot}/..hidden', '..hidden'],
  ])('writes a file %s', async (_name, projectRoot, path, expected) => {
    const agentRequest = request({ files: { [path]: 'content' } }, { projectRoot });
    const result = await createScriptedAgent().run(agentRequest);
    expect(result.filesWritten).toEqual([expected]);
    expect(readFileSync(join(workspaceRoot, expected), 'utf8')).toBe('content');
    expect(agentRequest.events).toContainEqual({ type: 'file', path: expected });
  });

  it.each([
    ['an absolute path', '/tmp/escape.txt'],
    ['.. out of the workspace from the project', '../../../escape.txt'],
    ['.. out of the workspace from {workspaceRoot}', '{workspaceRoot}/../escape.txt'],
    ['.. out of the workspace from {projectRoot}', '{projectRoot}/../../../escape.txt'],
  ])('refuses %s and writes nothing outside', async (_name, path) => {
    const attempt = createScriptedAgent().run(request({ files: { 'inside.txt': 'ok', [path]: 'bad' } }));
    await expect(attempt).rejects.toThrow(`scripted agent refuses to write "${path}": outside the workspace`);
    await attempt.catch((error: AgentError) => expect(error.isRetryable).toBe(false));
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
  });

  it.each([
    ['a linked folder inside the project', 'apps/api/out', 'out/escape.txt'],
    ['a linked file inside the project', 'apps/api/link.txt', 'link.txt'],
  ])('refuses to write through %s that points outside, and writes nothing there', async (_name, link, path) => {
    const outside = join(root, 'outside');
    mkdirSync(outside);
    mkdirSync(join(workspaceRoot, 'apps/api'), { recursive: true });
    symlinkSync(path === 'link.txt' ? join(outside, 'escape.txt') : outside, join(workspaceRoot, link));
    const attempt = createScriptedAgent().run(request({ files: { [path]: 'bad' } }));
    await expect(attempt).rejects.toThrow(`scripted agent refuses to write "${path}": a symbolic link on the way leads outside the workspace`);
    expect(existsSync(join(outside, 'escape.txt'))).toBe(false);
  });

  it('marks its token counts as estimates, also those of a failed attempt', async () => {
    const error = (await createScriptedAgent()
      .run(request({ fail: 'no' }))
      .catch((caught: unknown) => caught)) as AgentError;
    expect(error.usage).toEqual({ inputTokens: 10, outputTokens: 0, costUsd: 0, estimated: true });
  });

  it('reports its summary, model "scripted", cost 0 and tokens derived from the text', async () => {
    const agentRequest = request({ summary: 'S'.repeat(8), files: { 'a.txt': '1', 'b.txt': '2' } }, { systemPrompt: 'y'.repeat(40) });
    await expect(createScriptedAgent().run(agentRequest)).resolves.toEqual({
      summary: 'SSSSSSSS',
      model: 'scripted',
      turns: 1,
      inputTokens: 20,
      outputTokens: 2 + 2 * 20,
      costUsd: 0,
      estimated: true,
      filesWritten: ['apps/api/a.txt', 'apps/api/b.txt'],
      warnings: [],
      sessionId: 'scripted:write-api:1',
    });
    expect(agentRequest.events[0]).toEqual({ type: 'status', message: 'scripted agent: follows its script, calls no model' });
    expect(agentRequest.events).toContainEqual({ type: 'usage', inputTokens: 20, outputTokens: 42 });
  });

  it('without a script it still finishes, says no model was called, and writes nothing', async () => {
    const result = await createScriptedAgent().run(request(undefined));
    expect(result.summary).toBe('Scripted agent finished task "write-api" (no model was called).');
    expect(result.filesWritten).toEqual([]);
    expect(existsSync(workspaceRoot)).toBe(false);
  });

  it.each<[string, ScriptSpec, number, { message: string; isRetryable: boolean; statusCode?: number; exitCode?: number } | 'ok']>([
    [
      'failAttempts 2: attempt 1 fails transiently',
      { failAttempts: 2 },
      1,
      { message: 'scripted transient failure on attempt 1 of the first 2 (like a 503 overload)', isRetryable: true, statusCode: 503 },
    ],
    [
      'failAttempts 2: attempt 2 fails transiently',
      { failAttempts: 2 },
      2,
      { message: 'scripted transient failure on attempt 2 of the first 2 (like a 503 overload)', isRetryable: true, statusCode: 503 },
    ],
    ['failAttempts 2: attempt 3 succeeds', { failAttempts: 2 }, 3, 'ok'],
    ['fail: every attempt fails for good', { fail: 'cannot compile' }, 3, { message: 'scripted failure: cannot compile', isRetryable: false, exitCode: 1 }],
    ['fail wins over failAttempts', { fail: 'no', failAttempts: 5 }, 1, { message: 'scripted failure: no', isRetryable: false, exitCode: 1 }],
  ])('%s', async (_name, script, attempt, expected) => {
    const outcome = createScriptedAgent().run(request({ ...script, files: { 'a.txt': 'x' } }, { attempt }));
    if (expected === 'ok') {
      await expect(outcome).resolves.toMatchObject({ filesWritten: ['apps/api/a.txt'] });
      return;
    }
    const error = (await outcome.catch((caught: unknown) => caught)) as AgentError;
    expect(error).toBeInstanceOf(AgentError);
    expect({
      message: error.message,
      isRetryable: error.isRetryable,
      ...(error.statusCode ? { statusCode: error.statusCode } : {}),
      ...(error.exitCode ? { exitCode: error.exitCode } : {}),
    }).toEqual(expected);
    expect(existsSync(join(workspaceRoot, 'apps/api/a.txt'))).toBe(false);
  });

  it('waits its duration', async () => {
    const started = Date.now();
    await createScriptedAgent().run(request({ duration: 60 }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('an abort ends the duration at once, fails for good, and writes nothing', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 20);
    const error = (await createScriptedAgent()
      .run(request({ duration: 60_000, files: { 'a.txt': 'x' } }, { signal: controller.signal }))
      .catch((caught: unknown) => caught)) as AgentError;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.message).toBe('scripted agent stopped: the run was aborted');
    expect(error.isRetryable).toBe(false);
    expect(existsSync(join(workspaceRoot, 'apps/api/a.txt'))).toBe(false);
  });
});
