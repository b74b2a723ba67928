import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError, UnsupportedFeatureError, type AgentRunRequest } from '../agent-adapter';
import { agentRunRequest } from '../../testing/agent-run-request';
import { useAgentTestHarness } from '../../testing/agent-test-harness';
import { expectFailureAfterOneRequest } from '../../testing/expect-failure-after-one-request';
import { installedCliPath } from '../../testing/installed-cli-path';
import { writeFileConversation, type ModelScript } from '../../testing/model-server';
import { replayingProcess } from '../../testing/replaying-process';
import {
  createGeminiAgent,
  geminiApprovalMode,
  geminiArguments,
  geminiEnvironment,
  geminiOutcome,
  httpStatus,
  isMeaningfulStderr,
  type GeminiOutcomeInput,
} from './gemini-agent';
import { createGeminiHome } from './gemini-home';
import type { GeminiStreamState } from './gemini-stream';

const harness = useAgentTestHarness('gemini-agent-');
const HEADLESS = ['-p', '', '--output-format', 'stream-json', '--skip-trust', '--approval-mode'];

describe('geminiArguments', () => {
  it.each<[string, string | undefined, string, string[]]>([
    ['no model: gemini picks one', undefined, 'auto_edit', [...HEADLESS, 'auto_edit']],
    ['a model and an approval mode', 'gemini-2.5-pro', 'plan', [...HEADLESS, 'plan', '--model', 'gemini-2.5-pro']],
  ])('%s', (_name, model, mode, expected) => expect(geminiArguments({ model }, mode)).toEqual(expected));
});

describe('geminiApprovalMode', () => {
  it.each<[string | undefined, string]>([
    [undefined, 'auto_edit'],
    ['acceptEdits', 'auto_edit'],
    ['auto_edit', 'auto_edit'],
    ['default', 'default'],
    ['dontAsk', 'default'],
    ['bypassPermissions', 'yolo'],
    ['yolo', 'yolo'],
    ['plan', 'plan'],
  ])('%s -> %s', (mode, expected) => expect(geminiApprovalMode(mode)).toBe(expected));

  it('refuses a mode gemini does not have, listing the ones it has (the adapter, before anything starts)', async () => {
    const agent = createGeminiAgent({ env: {}, findExecutable: () => '/bin/gemini', runProcess: async () => Promise.reject(new Error('must not start')) });
    const attempt = agent.run(agentRunRequest({ permissionMode: 'sometimes' }));
    await expect(attempt).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(attempt).rejects.toThrow(/no permission mode "sometimes": use one of acceptEdits, auto_edit/);
  });
});

describe('geminiEnvironment', () => {
  it('adds the settings folder and the system prompt file, and leaves the given env alone', () => {
    const base = { PATH: '/bin', GEMINI_API_KEY: 'k' };
    expect(geminiEnvironment(base, { path: '/tmp/h', systemPromptFile: '/tmp/h/system.md' })).toEqual({
      PATH: '/bin',
      GEMINI_API_KEY: 'k',
      GEMINI_CLI_HOME: '/tmp/h',
      GEMINI_SYSTEM_MD: '/tmp/h/system.md',
    });
    expect(geminiEnvironment(base, { path: '/tmp/h' })).toEqual({ PATH: '/bin', GEMINI_API_KEY: 'k', GEMINI_CLI_HOME: '/tmp/h' });
    expect(base).toEqual({ PATH: '/bin', GEMINI_API_KEY: 'k' });
  });
});

describe('httpStatus', () => {
  it.each<[string, number | null, number | undefined]>([
    ['[API Error: {"error":{"code":401,"message":"x","status":"UNAUTHENTICATED"}}]', 145, 401],
    ['[API Error: Resource exhausted]', 173, 429],
    ['[API Error: x]', 244, 500],
    ['[API Error: exception TypeError: fetch failed sending request]', 1, undefined],
    ['Reached max session turns', 53, undefined],
    ['{"code": 123} is no HTTP status', 1, undefined],
    ['', null, undefined],
  ])('%s (exit %s) -> %s', (message, exitCode, expected) => expect(httpStatus(message, exitCode)).toBe(expected));
});

describe('isMeaningfulStderr', () => {
  it.each<[string, boolean]>([
    ['Warning: 256-color support not detected. Using a terminal with at least 256-color support is recommended.', false],
    ['Ripgrep is not available. Falling back to GrepTool.', false],
    ["[STARTUP] Phase 'cleanup_ops' was started but never ended. Skipping metrics.", false],
    ['    at retryWithBackoff (file:///x.js:1:2)', false],
    ['  status: 401', false],
    ['}', false],
    ['Invalid auth method selected.', true],
    ['Error when talking to Gemini API Full report available at: /tmp/r.json _ApiError: {"error":{"code":401}}', true],
  ])('%s -> %s', (line, expected) => expect(isMeaningfulStderr(line)).toBe(expected));
});

const STATE: GeminiStreamState = {
  turns: 2,
  filesWritten: ['a.txt'],
  lastText: 'Done.',
  errors: [],
  inputTokens: 10,
  outputTokens: 5,
  sessionModel: 'gemini-2.5-flash',
};
const SUCCESS = { type: 'result' as const, status: 'success' as const, stats: { models: { 'gemini-2.5-pro': { total_tokens: 15 } } } };
const apiError = (message: string) => ({ type: 'result' as const, status: 'error' as const, error: { type: 'unknown', message } });

describe('geminiOutcome', () => {
  const outcome = (overrides: Partial<GeminiOutcomeInput['process']> = {}, state: Partial<GeminiStreamState> = {}) =>
    geminiOutcome({
      state: { ...STATE, ...state },
      process: { exitCode: 0, signal: null, aborted: false, stderrTail: '', stdout: '', ...overrides },
      request: { model: 'gemini-2.5-pro', maxTurns: 3 },
      redact: (text) => text.split('SECRET-KEY').join('[redacted]'),
    });

  it('maps a success to the run result, the model from the stats', () => {
    expect(outcome({}, { result: SUCCESS })).toEqual({
      summary: 'Done.',
      model: 'gemini-2.5-pro',
      turns: 2,
      inputTokens: 10,
      outputTokens: 5,
      filesWritten: ['a.txt'],
    });
  });

  it.each<
    [
      string,
      Partial<GeminiOutcomeInput['process']>,
      Partial<GeminiStreamState>,
      { isRetryable: boolean; statusCode?: number; retryAfterMs?: number; message: RegExp },
    ]
  >([
    [
      '401 (exit 145): for good, naming the key variable',
      { exitCode: 145 },
      { result: apiError('[API Error: {"error":{"code":401,"message":"bad key SECRET-KEY","status":"UNAUTHENTICATED"}}]') },
      { isRetryable: false, statusCode: 401, message: /gemini rejected the credentials \(HTTP 401\): check GEMINI_API_KEY: .*bad key \[redacted\]/ },
    ],
    [
      '429 (exit 173): retryable, with the wait the API asks for',
      { exitCode: 173 },
      { result: apiError('[API Error: Quota exceeded. Please retry in 12.5s.]') },
      { isRetryable: true, statusCode: 429, retryAfterMs: 12_500, message: /gemini rate limit \(HTTP 429\)/ },
    ],
    [
      '500 (exit 244): retryable',
      { exitCode: 244 },
      { result: apiError('[API Error: {"error":{"code":500,"status":"INTERNAL"}}]') },
      { isRetryable: true, statusCode: 500, message: /server error \(HTTP 500\)/ },
    ],
    [
      '400 (exit 144): for good',
      { exitCode: 144 },
      { result: apiError('[API Error: {"error":{"code":400}}]') },
      { isRetryable: false, statusCode: 400, message: /HTTP 400/ },
    ],
    [
      'a cut stream: retryable',
      { exitCode: 1 },
      { result: apiError('[API Error: terminated]') },
      { isRetryable: true, message: /transient\): \[API Error: terminated\]/ },
    ],
    [
      'a refused connection: retryable',
      { exitCode: 1 },
      { result: apiError('[API Error: exception TypeError: fetch failed sending request]') },
      { isRetryable: true, message: /transient/ },
    ],
    [
      'the turn limit (exit 53): for good, naming maxTurns',
      { exitCode: 53 },
      { result: { type: 'result', status: 'error', error: { type: 'FatalTurnLimitedError', message: 'Reached max session turns' } } },
      { isRetryable: false, message: /turn limit \(maxTurns 3\) after 2 turns.*raise "maxTurns"/ },
    ],
    [
      'no auth (exit 41, stderr only)',
      { exitCode: 41, stderrTail: 'Warning: 256-color support not detected.\nInvalid auth method selected.' },
      {},
      { isRetryable: false, statusCode: 401, message: /not authenticated \(Invalid auth method selected\.\): set GEMINI_API_KEY/ },
    ],
    [
      'an untrusted folder (exit 55)',
      { exitCode: 55, stderrTail: 'Gemini CLI is not running in a trusted directory.' },
      {},
      { isRetryable: false, message: /does not trust the workspace \(exit 55\)/ },
    ],
    ['killed by a signal: retryable', { exitCode: null, signal: 'SIGKILL' }, {}, { isRetryable: true, message: /killed by SIGKILL/ }],
    [
      'an error result after exit 0 (empty model reply): for good',
      { exitCode: 0 },
      { result: { type: 'result', status: 'error' }, errors: ['Model stream ended with empty response text.'] },
      { isRetryable: false, message: /gemini failed: Model stream ended with empty response text/ },
    ],
    [
      'a crash without a result',
      { exitCode: 1, stderrTail: 'TypeError: boom\n    at x (y.js:1:1)' },
      {},
      { isRetryable: false, message: /exited with code 1 without a result: TypeError: boom$/ },
    ],
  ])('%s', (_name, process, state, expected) => {
    let caught: unknown;
    try {
      outcome(process, state);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AgentError);
    const { message, ...details } = expected;
    expect(caught).toMatchObject(details);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('SECRET-KEY');
  });

  it('an aborted run is stopped, whatever else happened', () => {
    expect(() => outcome({ aborted: true, exitCode: 0 }, { result: SUCCESS })).toThrow(/stopped before it finished/);
  });
});

describe('createGeminiAgent with a stand-in process', () => {
  it('sends the prompt on stdin with a per-run settings folder, maps the stream, and removes the folder', async () => {
    let removed = 0;
    const gemini = replayingProcess([
      { stdout: '{"type":"init","model":"gemini-2.5-flash"}' },
      { stderr: 'warning with gemini-secret-value' },
      { stderr: 'Ripgrep is not available. Falling back to GrepTool.' },
      { stdout: '{"type":"message","role":"assistant","content":"done","delta":true}' },
      {
        stdout:
          '{"type":"result","status":"success","stats":{"total_tokens":7,"input_tokens":3,"output_tokens":4,"models":{"gemini-2.5-flash":{"total_tokens":7}}}}',
      },
    ]);
    const agent = createGeminiAgent({
      env: { PATH: '/bin', GEMINI_API_KEY: 'gemini-secret-value' },
      findExecutable: () => '/usr/local/bin/gemini',
      createGeminiHome: () => ({ path: '/tmp/run-home', notes: ['a note'], warnings: [], remove: () => removed++ }),
      runProcess: gemini.runProcess,
    });
    const input = agentRunRequest({ prompt: '- starts with a dash', env: { EXTRA: 'yes' }, model: 'gemini-2.5-flash', attempt: 2 });
    const result = await agent.run(input);
    const [seen] = gemini.runs;
    expect(seen).toMatchObject({ command: '/usr/local/bin/gemini', cwd: '/workspace', stdin: '- starts with a dash' });
    expect(seen?.args).toEqual([...HEADLESS, 'auto_edit', '--model', 'gemini-2.5-flash']);
    expect(seen?.env).toMatchObject({ PATH: '/bin', EXTRA: 'yes', GEMINI_CLI_HOME: '/tmp/run-home' });
    expect(result).toEqual({ summary: 'done', model: 'gemini-2.5-flash', turns: 1, inputTokens: 3, outputTokens: 4, filesWritten: [], warnings: [] });
    expect(removed).toBe(1);
    expect(input.events.slice(0, 2)).toEqual([
      { type: 'status', message: 'a note' },
      { type: 'status', message: 'running gemini -p --model gemini-2.5-flash --approval-mode auto_edit (attempt 2)' },
    ]);
    expect(input.events).toContainEqual({ type: 'status', message: 'gemini: warning with [redacted]' });
    expect(JSON.stringify(input.events)).not.toMatch(/gemini-secret-value|Ripgrep/);
  });

  it('removes the settings folder when the process cannot start', async () => {
    let removed = 0;
    const agent = createGeminiAgent({
      env: {},
      findExecutable: () => '/missing/gemini',
      createGeminiHome: () => ({ path: '/tmp/run-home', notes: [], warnings: [], remove: () => removed++ }),
      runProcess: () => Promise.reject(new AgentError('could not start /missing/gemini', { isRetryable: false })),
    });
    await expect(agent.run(agentRunRequest())).rejects.toThrow('could not start');
    expect(removed).toBe(1);
  });

  it('fails at once with the install command when the CLI is missing', async () => {
    const agent = createGeminiAgent({ env: { PATH: '' }, runProcess: () => Promise.reject(new Error('must not run')) });
    const failure = agent.run(agentRunRequest({ cwd: harness.folder() }));
    await expect(failure).rejects.toThrow('gemini not found on PATH or in node_modules/.bin: npm i -D @google/gemini-cli');
    await expect(failure).rejects.toMatchObject({ isRetryable: false });
  });
});

// The real CLI (a dev dependency) against the scripted model server: checks that the facts the
// adapter relies on (settings folder, system prompt file, exit codes, stream lines) still hold.
describe('createGeminiAgent with the real gemini CLI', () => {
  const homes: string[] = [];
  const recordingHome: typeof createGeminiHome = (options) => {
    const home = createGeminiHome(options);
    homes.push(home.path);
    return home;
  };
  async function runReal(script: ModelScript, overrides: Partial<AgentRunRequest> = {}, cwd = harness.folder()) {
    const server = await harness.startServer(script);
    // An empty HOME: no ~/.gemini/settings.json at all, so the adapter's own settings must do.
    // TMPDIR: gemini leaves an error report there for every failed API call.
    const env = {
      PATH: installedCliPath(),
      HOME: harness.folder(),
      TMPDIR: harness.folder(),
      GOOGLE_GEMINI_BASE_URL: server.url,
      GEMINI_API_KEY: 'gemini-unit-test-key',
    };
    const agent = createGeminiAgent({ env, createGeminiHome: recordingHome });
    return harness.runAgent(agent, { cwd, prompt: 'UNIT-TASK write the file', systemPrompt: 'UNIT-SYSTEM-PROMPT', model: 'gemini-2.5-flash', ...overrides });
  }

  it('writes a file through write_file, with the system prompt, the tools and the turn limit in effect', async () => {
    const cwd = harness.folder();
    const { result, error, events, requests } = await runReal(
      {
        rules: [
          {
            when: { userTextIncludes: 'UNIT-TASK' },
            turns: writeFileConversation({
              client: 'gemini',
              filePath: join(cwd, 'src/out.txt'),
              content: 'hello\n',
              summary: 'Wrote src/out.txt',
              toolCallUsage: { inputTokens: 100, outputTokens: 20 },
              summaryUsage: { inputTokens: 150, outputTokens: 10 },
            }),
          },
        ],
      },
      { tools: ['Read', 'Write'], maxTurns: 4 },
      cwd,
    );
    expect(error).toBeUndefined();
    expect(readFileSync(join(cwd, 'src/out.txt'), 'utf8')).toBe('hello\n');
    expect(result).toEqual({
      summary: 'Wrote src/out.txt',
      model: 'gemini-2.5-flash',
      turns: 2,
      warnings: [],
      sessionId: expect.any(String),
      inputTokens: 250,
      outputTokens: 30,
      filesWritten: ['src/out.txt'],
    });
    expect(events).toContainEqual({ type: 'tool', name: 'write_file', detail: 'src/out.txt' });
    expect(events).toContainEqual({ type: 'file', path: 'src/out.txt' });
    expect(requests).toHaveLength(2);
    // GEMINI_SYSTEM_MD replaces gemini's own system prompt; the user's text is the task prompt.
    expect(requests[0].conversation?.system).toContain('UNIT-SYSTEM-PROMPT');
    expect(requests[0].conversation?.system).not.toContain('Core Mandates');
    expect(requests[0].conversation?.userTexts.join('\n')).toContain('UNIT-TASK write the file');
    const declared = ((requests[0].body as { tools?: Array<{ functionDeclarations?: Array<{ name: string }> }> }).tools ?? [])
      .flatMap((tool) => tool.functionDeclarations ?? [])
      .map((declaration) => declaration.name);
    expect(declared.sort()).toEqual(['read_file', 'write_file']);
    expect(requests[0].headers['x-goog-api-key']).toBe('gemini-unit-test-key');
  }, 90_000);

  it.each<[string, number, { isRetryable: boolean; message: RegExp }]>([
    ['429 is retryable, and the CLI does not retry it itself', 429, { isRetryable: true, message: /gemini rate limit \(HTTP 429\)/ }],
    ['401 fails for good and names the key variable', 401, { isRetryable: false, message: /HTTP 401\): check GEMINI_API_KEY/ }],
  ])(
    '%s',
    async (_name, status, expected) => {
      const run = await runReal({ rules: [{ when: { userTextIncludes: 'UNIT-TASK' }, turns: [{ type: 'error', status, retryAfterSeconds: 1 }] }] });
      expectFailureAfterOneRequest(run, { ...expected, statusCode: status }, 'gemini-unit-test-key');
    },
    90_000,
  );

  it('stops at maxTurns with an error that names it', async () => {
    const cwd = harness.folder();
    const writes = Array.from({ length: 5 }, (_, index) => ({
      type: 'tool-call' as const,
      name: 'write_file',
      input: { file_path: join(cwd, `f${index}.txt`), content: 'x' },
    }));
    const { error, requests } = await runReal({ rules: [{ when: { userTextIncludes: 'UNIT-TASK' }, turns: writes }] }, { maxTurns: 2 }, cwd);
    expect(requests).toHaveLength(2);
    expect(error).toMatchObject({ isRetryable: false, exitCode: 53 });
    expect(error?.message).toMatch(/turn limit \(maxTurns 2\)/);
  }, 90_000);

  it('stops the CLI when the signal aborts and removes its settings folder', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = runReal({ rules: [{ when: { userTextIncludes: 'UNIT-TASK' }, turns: [{ type: 'hang' }] }] }, { signal: controller.signal });
    const timer = setInterval(() => {
      if (harness.server?.requests.some((entry) => entry.route === 'generate')) controller.abort();
    }, 100);
    const { error } = await pending;
    clearInterval(timer);
    expect(error?.message).toMatch(/stopped before it finished/);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(homes.length).toBeGreaterThan(0);
    expect(homes.filter((path) => existsSync(path))).toEqual([]);
  }, 90_000);
});
