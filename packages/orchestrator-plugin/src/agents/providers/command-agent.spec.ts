import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, UnsupportedFeatureError, type AgentEvent, type AgentRunRequest } from '../agent-adapter';
import { createCommandAgent } from './command-agent';

const node = process.execPath;
// A real agent stand-in: prints, as JSON, the arguments and stdin it received, its cwd and one env value.
const ECHO =
  'let input = ""; process.stdin.on("data", (c) => (input += c)).on("end", () => console.log(JSON.stringify({ args: process.argv.slice(1), stdin: input, cwd: process.cwd(), setting: process.env.AGENT_SETTING ?? null })))';
const PROMPT = '- starts with a dash, has "quotes", $HOME and\na second line';

let workspaceRoot: string;
beforeEach(() => (workspaceRoot = realpathSync(mkdtempSync(join(tmpdir(), 'command-agent-')))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

function request({ command, ...overrides }: Partial<AgentRunRequest> & { command?: string[] } = {}): AgentRunRequest & { events: AgentEvent[] } {
  const events: AgentEvent[] = [];
  return {
    taskId: 't',
    prompt: PROMPT,
    cwd: workspaceRoot,
    workspaceRoot,
    providerOptions: command ? { command: { argv: command } } : {},
    projectRoot: 'apps/a',
    attempt: 1,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    events,
    ...overrides,
  };
}

describe('command agent', () => {
  it.each<[string, string[], { args: string[]; stdin: string }]>([
    ['without {prompt}, the prompt goes to stdin', [node, '-e', ECHO, '--', '--flag'], { args: ['--flag'], stdin: PROMPT }],
    [
      'an argument "{prompt}" receives the prompt whole, unquoted, and stdin stays empty',
      [node, '-e', ECHO, '--', '--prompt', '{prompt}', 'after'],
      { args: ['--prompt', PROMPT, 'after'], stdin: '' },
    ],
    ['"{prompt}" inside a longer argument is not replaced', [node, '-e', ECHO, '--', '--prompt={prompt}'], { args: ['--prompt={prompt}'], stdin: PROMPT }],
  ])('%s', async (_name, command, expected) => {
    const agentRequest = request({ command, env: { AGENT_SETTING: 'from-profile' } });
    const result = await createCommandAgent({ env: { PATH: process.env.PATH } }).run(agentRequest);
    expect(JSON.parse(result.summary)).toEqual({ ...expected, cwd: workspaceRoot, setting: 'from-profile' });
    expect(result).toMatchObject({ model: '', turns: 1, inputTokens: 0, outputTokens: 0, filesWritten: [] });
    expect(result.costUsd).toBeUndefined();
    expect(agentRequest.events[0]).toEqual({ type: 'status', message: `running ${command.join(' ')}` });
    expect(agentRequest.events).toContainEqual({ type: 'text', text: result.summary });
  });

  it.each<[string, string, string]>([
    ['the summary is stdout, trimmed', 'console.log("\\n  all done  \\n")', 'all done'],
    ['no output says so', '', `${node} finished with no output.`],
    ['a long output keeps its last 4,000 characters', 'process.stdout.write("a".repeat(5000) + "THE END")', `${'a'.repeat(4_000 - 7)}THE END`],
  ])('%s', async (_name, script, expected) => {
    await expect(createCommandAgent({ env: { PATH: process.env.PATH } }).run(request({ command: [node, '-e', script] }))).resolves.toMatchObject({
      summary: expected,
    });
  });

  it.each<[string, string, { message: string; exitCode?: number }]>([
    [
      'a non-zero exit fails with the stderr tail',
      'console.log("partial"); console.error("compile error in a.ts"); process.exit(2)',
      { message: `${node} exited with 2:\ncompile error in a.ts`, exitCode: 2 },
    ],
    ['without stderr, the stdout tail', 'console.log("only stdout"); process.exit(1)', { message: `${node} exited with 1:\nonly stdout`, exitCode: 1 }],
    ['no output at all', 'process.exit(4)', { message: `${node} exited with 4`, exitCode: 4 }],
    ['killed by a signal of its own', 'process.kill(process.pid, "SIGKILL")', { message: `${node} exited with SIGKILL` }],
  ])('%s', async (_name, script, expected) => {
    const error = (await createCommandAgent({ env: { PATH: process.env.PATH } })
      .run(request({ command: [node, '-e', script] }))
      .catch((caught: unknown) => caught)) as AgentError;
    expect(error).toBeInstanceOf(AgentError);
    expect({ message: error.message, ...(error.exitCode === undefined ? {} : { exitCode: error.exitCode }) }).toEqual(expected);
    expect(error.isRetryable).toBe(false);
  });

  it.each<[string, string[] | undefined]>([
    ['no command', undefined],
    ['an empty command', []],
  ])('%s: unsupported, with an example of the setting', async (_name, command) => {
    const attempt = createCommandAgent({ env: { PATH: process.env.PATH } }).run(request({ command }));
    await expect(attempt).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(attempt).rejects.toThrow('provider "command" needs a "command" in its profile, e.g. "command": ["my-agent", "--prompt", "{prompt}"]');
  });

  it('a command that does not exist fails for good, naming it', async () => {
    const attempt = createCommandAgent({ env: { PATH: process.env.PATH } }).run(request({ command: ['no-such-agent-4711', '{prompt}'] }));
    await expect(attempt).rejects.toThrow(/^could not start no-such-agent-4711: /);
    await attempt.catch((error: AgentError) => expect(error.isRetryable).toBe(false));
  });

  it('an abort stops the command and fails without a retry', async () => {
    const controller = new AbortController();
    const agentRequest = request({ command: [node, '-e', 'console.log("working"); setInterval(() => {}, 1000)'], signal: controller.signal });
    const outcome = createCommandAgent({ env: { PATH: process.env.PATH } }).run(agentRequest);
    for (let tries = 0; tries < 150 && !agentRequest.events.some((event) => event.type === 'text'); tries++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    controller.abort();
    const error = (await outcome.catch((caught: unknown) => caught)) as AgentError;
    expect(error.message).toBe(`${node} was stopped`);
    expect(error.isRetryable).toBe(false);
  });

  it('the injected env is the one it starts from (process.env is never read), with the profile env over it', async () => {
    const agent = createCommandAgent({ env: { AGENT_SETTING: 'injected', OTHER: 'kept' } });
    const script = 'console.log(JSON.stringify([process.env.AGENT_SETTING, process.env.OTHER, process.env.HOME ?? null]))';
    const result = await agent.run(request({ command: [node, '-e', script], env: { AGENT_SETTING: 'profile' } }));
    expect(JSON.parse(result.summary)).toEqual(['profile', 'kept', null]);
  });

  it.each<[string, string, string]>([
    ['stdout', 'process.stdout.write("x".repeat(5000) + " " + process.env.CUT_SECRET_TOKEN + " " + "y".repeat(3980))', 'summary'],
    ['stderr of a failure', 'console.error("x".repeat(2000) + process.env.CUT_SECRET_TOKEN + "y".repeat(990)); process.exit(1)', 'error'],
  ])('a secret cut at the boundary of the kept %s leaves no tail behind', async (_name, script, where) => {
    const secret = 'cut-secret-0123456789-abcdefghij';
    const agent = createCommandAgent({ env: { CUT_SECRET_TOKEN: secret } });
    const outcome = await agent.run(request({ command: [node, '-e', script] })).then(
      (result) => result.summary,
      (error: AgentError) => error.message,
    );
    expect(where === 'summary' ? outcome.length : outcome.length).toBeGreaterThan(900);
    for (const piece of [secret, secret.slice(-12), secret.slice(0, 12)]) expect(outcome).not.toContain(piece);
    expect(outcome).toContain('[redacted]');
  });
});
