import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../agent-adapter';
import type { ProcessOutcome } from '../process/run-process';
import { classifyCodexFailure, codexOutcome, type CodexOutcomeInput } from './codex-outcome';
import type { CodexStreamState } from './codex-stream';

const OPTIONS = { keyVariable: 'OPENAI_API_KEY', redact: (text: string) => text.split('sk-secret-value').join('[redacted]') };

describe('classifyCodexFailure', () => {
  // Messages as codex-cli 0.169 reports them in turn.failed, per HTTP status of the model server.
  it.each<[string, string, { isRetryable: boolean; statusCode?: number }, RegExp]>([
    [
      '401',
      'unexpected status 401 Unauthorized: Incorrect API key provided, url: http://127.0.0.1:1/v1/responses, request id: req_1',
      { isRetryable: false, statusCode: 401 },
      /HTTP 401\): check OPENAI_API_KEY/,
    ],
    ['403', 'unexpected status 403 Forbidden: scripted 403 message, url: http://127.0.0.1:1/v1/responses', { isRetryable: false, statusCode: 403 }, /HTTP 403/],
    [
      '400, a raw error body',
      '{"error":{"message":"scripted 400 message","type":"invalid_request_error","param":null,"code":null}}',
      { isRetryable: false, statusCode: 400 },
      /HTTP 400\).*scripted 400 message/,
    ],
    ['404, a bare message', 'The model `gpt-nope` does not exist', { isRetryable: false, statusCode: undefined }, /codex failed: The model/],
    ['408', 'unexpected status 408 Request Timeout: scripted 408 message', { isRetryable: true, statusCode: 408 }, /HTTP 408/],
    ['409', 'unexpected status 409 Conflict: scripted 409 message', { isRetryable: true, statusCode: 409 }, /HTTP 409/],
    [
      '429 after codex gave up',
      'exceeded retry limit, last status: 429 Too Many Requests, request id: req_2',
      { isRetryable: true, statusCode: 429 },
      /rate limit \(HTTP 429\)/,
    ],
    [
      '429 in a raw body',
      '{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}',
      { isRetryable: true, statusCode: 429 },
      /HTTP 429/,
    ],
    ['500', 'We’re currently experiencing high demand, which may cause temporary errors.', { isRetryable: true }, /overloaded or failed \(retryable\)/],
    ['502', 'unexpected status 502 Bad Gateway: scripted 502 message', { isRetryable: true, statusCode: 502 }, /server error \(HTTP 502\)/],
    ['503', 'unexpected status 503 Service Unavailable: scripted', { isRetryable: true, statusCode: 503 }, /overloaded \(HTTP 503\)/],
    ['529', 'unexpected status 529 <unknown status code>: scripted 529 message', { isRetryable: true, statusCode: 529 }, /overloaded \(HTTP 529\)/],
    [
      'a cut stream',
      'stream disconnected before completion: Transport error: network error: error decoding response body',
      { isRetryable: true },
      /connection to the model server failed/,
    ],
    ['a missing key variable', 'Missing environment variable: `OPENAI_API_KEY`.', { isRetryable: false }, /codex needs OPENAI_API_KEY: set it/],
    ['a usage limit', "You've hit your usage limit. Try again later.", { isRetryable: false }, /usage limit reached/],
    ['a full context window', "Codex ran out of room in the model's context window.", { isRetryable: false }, /context window/],
    ['anything else', 'Error loading config.toml: unknown field', { isRetryable: false }, /^codex failed: Error loading config/],
  ])('%s', (_name, message, expected, text) => {
    const error = classifyCodexFailure(message, OPTIONS);
    expect(error).toBeInstanceOf(AgentError);
    expect({ isRetryable: error.isRetryable, statusCode: error.statusCode }).toEqual({ statusCode: undefined, ...expected });
    expect(error.message).toMatch(text);
  });

  it('never repeats a secret', () => {
    expect(classifyCodexFailure('unexpected status 401 Unauthorized: bad key sk-secret-value', OPTIONS).message).not.toContain('sk-secret-value');
  });
});

describe('codexOutcome', () => {
  let workspace: string;
  beforeEach(() => {
    workspace = mkdtempSync(join(tmpdir(), 'codex-outcome-'));
  });
  afterEach(() => rmSync(workspace, { recursive: true, force: true }));

  const state = (overrides: Partial<CodexStreamState> = {}): CodexStreamState => ({
    turns: 2,
    inputTokens: 150,
    outputTokens: 40,
    claimedFiles: [],
    completed: true,
    lastMessage: ' Wrote it. ',
    ...overrides,
  });
  const exited = (overrides: Partial<ProcessOutcome> = {}): ProcessOutcome => ({
    exitCode: 0,
    signal: null,
    aborted: false,
    stdout: '',
    stderrTail: '',
    ...overrides,
  });
  const input = (overrides: Partial<CodexOutcomeInput> = {}): CodexOutcomeInput => ({
    state: state(),
    process: exited(),
    request: { cwd: workspace },
    startedAtMs: Date.now() - 1_000,
    ...OPTIONS,
    ...overrides,
  });

  it('a completed turn is the result: summary, tokens, turns, the model from the profile or else the session', () => {
    expect(codexOutcome(input({ request: { cwd: workspace, model: 'gpt-5.5' }, readSessionModel: () => 'ignored' }))).toEqual({
      summary: 'Wrote it.',
      model: 'gpt-5.5',
      turns: 2,
      inputTokens: 150,
      outputTokens: 40,
      filesWritten: [],
    });
    expect(codexOutcome(input({ readSessionModel: () => 'gpt-6.1-sol' })).model).toBe('gpt-6.1-sol');
    expect(codexOutcome(input({ state: state({ lastMessage: undefined }) })).summary).toBe('codex finished without a final message.');
  });

  it('files written: claimed, on disk, inside the workspace and modified during the run', () => {
    mkdirSync(join(workspace, 'src'));
    for (const name of ['src/new.ts', 'old.ts', 'out.txt']) writeFileSync(join(workspace, name), 'x');
    const longAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(workspace, 'old.ts'), longAgo, longAgo);
    const claimedFiles = ['src/new.ts', 'old.ts', 'missing.ts', 'src', 'out.txt', '../outside.txt']
      .map((name) => join(workspace, name))
      .concat('/etc/hostname');
    expect(codexOutcome(input({ state: state({ claimedFiles }) })).filesWritten).toEqual(['out.txt', 'src/new.ts']);
  });

  it.each<[string, Partial<CodexOutcomeInput>, { isRetryable: boolean; statusCode?: number; exitCode?: number }, RegExp]>([
    [
      'maxTurns reached',
      { state: state({ maxTurnsExceeded: true }), process: exited({ aborted: true }), request: { cwd: '/w', maxTurns: 3 } },
      { isRetryable: false },
      /reached maxTurns \(3\)/,
    ],
    [
      'codex waiting for the network',
      { state: state({ connectionFailure: 'Reconnecting... waiting for network' }), process: exited({ aborted: true }), endpoint: 'http://127.0.0.1:9/v1' },
      { isRetryable: true },
      /could not reach http:\/\/127\.0\.0\.1:9\/v1/,
    ],
    [
      'stopped by the caller (timeout, Ctrl-C)',
      { process: exited({ aborted: true, exitCode: null, signal: 'SIGTERM' }) },
      { isRetryable: false },
      /codex was stopped/,
    ],
    [
      'turn.failed',
      { state: state({ failure: 'unexpected status 401 Unauthorized: no', completed: false }), process: exited({ exitCode: 1 }) },
      { isRetryable: false, statusCode: 401 },
      /HTTP 401/,
    ],
    [
      'a non-zero exit without turn.failed: stderr without the start-up noise',
      {
        state: state({ completed: false }),
        process: exited({ exitCode: 1, stderrTail: 'WARNING: proceeding, even though we could not create PATH aliases\nError loading config.toml: bad' }),
      },
      { isRetryable: false, exitCode: 1 },
      /^codex failed: Error loading config.toml: bad$/,
    ],
    ['exit 0 without a completed turn', { state: state({ completed: false }) }, { isRetryable: false, exitCode: 0 }, /without completing its turn/],
  ])('%s', (_name, overrides, expected, text) => {
    let caught: unknown;
    try {
      codexOutcome(input(overrides));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AgentError);
    const error = caught as AgentError;
    expect({ isRetryable: error.isRetryable, statusCode: error.statusCode, exitCode: error.exitCode }).toEqual({
      statusCode: undefined,
      exitCode: undefined,
      ...expected,
    });
    expect(error.message).toMatch(text);
  });
});
