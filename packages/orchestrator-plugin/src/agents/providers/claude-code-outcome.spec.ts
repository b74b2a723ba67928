import { AgentError } from '../agent-adapter';
import { claudeCodeOutcome, type ClaudeCodeOutcomeInput } from './claude-code-outcome';
import type { ClaudeCodeResultMessage, ClaudeCodeStreamState } from './claude-code-stream';

const EXITED_0: ClaudeCodeOutcomeInput['process'] = { exitCode: 0, signal: null, aborted: false, stderrTail: '', stdout: '' };
const EXITED_1: ClaudeCodeOutcomeInput['process'] = { ...EXITED_0, exitCode: 1 };

function state(result?: Partial<ClaudeCodeResultMessage>, extra: Partial<ClaudeCodeStreamState> = {}): ClaudeCodeStreamState {
  return {
    turns: 1,
    filesWritten: [],
    lastText: '',
    inputTokens: 0,
    outputTokens: 0,
    ...(result ? { result: { type: 'result', subtype: 'success', ...result } } : {}),
    ...extra,
  };
}

function outcome(overrides: Partial<ClaudeCodeOutcomeInput>) {
  return claudeCodeOutcome({
    state: state(),
    process: EXITED_0,
    request: { model: 'sonnet', maxTurns: 3 },
    keyVariable: 'ANTHROPIC_API_KEY',
    redact: (text) => text.split('sk-live-secret').join('[redacted]'),
    ...overrides,
  });
}

function failure(overrides: Partial<ClaudeCodeOutcomeInput>): AgentError {
  try {
    outcome(overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(AgentError);
    return error as AgentError;
  }
  throw new Error('expected a failure');
}

describe('claudeCodeOutcome: success', () => {
  it('maps a recorded success result: summary, model, turns, tokens with cache, client cost, files', () => {
    const result = outcome({
      state: state(
        {
          is_error: false,
          num_turns: 2,
          result: 'Wrote out.txt',
          total_cost_usd: 0.0012,
          usage: { input_tokens: 250, output_tokens: 30 },
          modelUsage: { 'claude-sonnet-4-5': { inputTokens: 200, outputTokens: 30, cacheReadInputTokens: 40, cacheCreationInputTokens: 10 } },
          permission_denials: [],
        },
        { assistantModel: 'claude-sonnet-4-5', sessionModel: 'sonnet', filesWritten: ['out.txt'] },
      ),
    });
    expect(result).toEqual({
      summary: 'Wrote out.txt',
      model: 'claude-sonnet-4-5',
      turns: 2,
      inputTokens: 250,
      outputTokens: 30,
      costUsd: 0.0012,
      filesWritten: ['out.txt'],
    });
  });

  it.each<[string, Partial<ClaudeCodeResultMessage>, Partial<ClaudeCodeStreamState>, Partial<ReturnType<typeof outcome>>]>([
    ['summary falls back to the last text', { result: '  ' }, { lastText: 'the last words' }, { summary: 'the last words' }],
    ['model falls back to modelUsage', { modelUsage: { 'claude-opus-4-1': { inputTokens: 1, outputTokens: 1 } } }, {}, { model: 'claude-opus-4-1' }],
    ['model falls back to the session model', {}, { sessionModel: 'claude-haiku-4-5' }, { model: 'claude-haiku-4-5' }],
    ['model falls back to the requested one', {}, {}, { model: 'sonnet' }],
    ['tokens fall back to the streamed counts', {}, { inputTokens: 7, outputTokens: 3 }, { inputTokens: 7, outputTokens: 3 }],
    ['turns fall back to the streamed count', {}, { turns: 4 }, { turns: 4 }],
    ['the summary is redacted', { result: 'used sk-live-secret' }, {}, { summary: 'used [redacted]' }],
  ])('%s', (_name, result, extra, expected) => {
    expect(outcome({ state: state(result, extra) })).toMatchObject(expected);
  });

  it('leaves the cost undefined when the client reports none', () => {
    expect(outcome({ state: state({ result: 'ok' }) })).not.toHaveProperty('costUsd');
  });
});

describe('claudeCodeOutcome: failures', () => {
  it.each<[string, Partial<ClaudeCodeResultMessage>, Partial<ClaudeCodeStreamState>, { isRetryable: boolean; statusCode?: number; message: RegExp }]>([
    // Recorded results (CLAUDE_CODE_MAX_RETRIES=0) against the scripted model server.
    [
      '429',
      { is_error: true, api_error_status: 429, result: 'API Error: Request rejected (429) · Scripted error: HTTP 429' },
      { apiErrorKind: 'rate_limit' },
      { isRetryable: true, statusCode: 429, message: /rate limit \(HTTP 429\): API Error: Request rejected/ },
    ],
    [
      '401',
      { is_error: true, api_error_status: 401, result: 'Failed to authenticate. API Error: 401 Scripted error: HTTP 401' },
      { apiErrorKind: 'authentication_failed' },
      { isRetryable: false, statusCode: 401, message: /rejected the credentials \(HTTP 401\): check ANTHROPIC_API_KEY/ },
    ],
    ['403', { is_error: true, api_error_status: 403, result: 'API Error: 403' }, {}, { isRetryable: false, statusCode: 403, message: /HTTP 403/ }],
    ['400', { is_error: true, api_error_status: 400, result: 'API Error: 400 bad' }, {}, { isRetryable: false, statusCode: 400, message: /HTTP 400/ }],
    ['404', { is_error: true, api_error_status: 404, result: 'model not found' }, {}, { isRetryable: false, statusCode: 404, message: /check the model name/ }],
    ['408', { is_error: true, api_error_status: 408, result: 'timeout' }, {}, { isRetryable: true, statusCode: 408, message: /HTTP 408/ }],
    ['409', { is_error: true, api_error_status: 409, result: 'conflict' }, {}, { isRetryable: true, statusCode: 409, message: /HTTP 409/ }],
    [
      '500',
      { is_error: true, api_error_status: 500, result: 'API Error: 500' },
      { apiErrorKind: 'server_error' },
      { isRetryable: true, statusCode: 500, message: /server error \(HTTP 500\)/ },
    ],
    [
      '529',
      { is_error: true, api_error_status: 529, result: 'API Error: 529 Scripted error: HTTP 529. This is a server-side issue' },
      { apiErrorKind: 'server_error' },
      { isRetryable: true, statusCode: 529, message: /overloaded \(HTTP 529\)/ },
    ],
    [
      'refused connection',
      {
        is_error: true,
        api_error_status: undefined,
        api_error: 'connection_failed',
        result: 'API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)',
      },
      { apiErrorKind: 'server_error' },
      { isRetryable: true, message: /transient.*ECONNREFUSED/ },
    ],
    [
      'cut stream',
      {
        is_error: true,
        api_error_status: undefined,
        api_error: 'connection_failed',
        result: 'API Error: Connection to the API was lost (ECONNRESET). This is usually temporary — try again.',
      },
      {},
      { isRetryable: true, message: /ECONNRESET/ },
    ],
    [
      'request timeout',
      { is_error: true, api_error_status: undefined, result: 'Request timed out. If the API is slow to answer, set API_TIMEOUT_MS above 2000.' },
      { apiErrorKind: 'server_error' },
      { isRetryable: true, message: /Request timed out/ },
    ],
    [
      'not logged in',
      { is_error: true, api_error_status: undefined, result: 'Not logged in · Please run /login' },
      { apiErrorKind: 'authentication_failed' },
      { isRetryable: false, statusCode: 401, message: /not authenticated \(Not logged in · Please run \/login\): set ANTHROPIC_API_KEY/ },
    ],
    [
      'rate limit without a status',
      { is_error: true, api_error_status: undefined, result: 'usage limit reached' },
      { apiErrorKind: 'rate_limit' },
      { isRetryable: true, statusCode: 429, message: /rate limit/ },
    ],
    ['unknown error', { is_error: true, result: 'Something odd' }, {}, { isRetryable: false, message: /claude-code failed: Something odd/ }],
    [
      'max turns (recorded)',
      { subtype: 'error_max_turns', is_error: true, num_turns: 2, errors: ['Reached maximum number of turns (1)'] },
      {},
      { isRetryable: false, message: /turn limit \(maxTurns 3\) after 2 turns.*raise "maxTurns"/ },
    ],
    [
      'budget',
      { subtype: 'error_max_budget_usd', is_error: true, errors: ['budget'], total_cost_usd: 0.31 },
      {},
      { isRetryable: false, message: /stopped at its budget \(the task's maxCost\) after spending \$0\.3100 without finishing: raise "maxCost"/ },
    ],
    [
      'permission denials (recorded, exit 0)',
      {
        is_error: false,
        result: 'Wrote out.txt',
        permission_denials: [
          { tool_name: 'Write', tool_input: { file_path: '/w/out.txt', content: 'x' } },
          { tool_name: 'Bash', tool_input: { command: 'rm -rf build' } },
        ],
      },
      {},
      { isRetryable: false, message: /denied 2 tool calls \(Write \/w\/out.txt, Bash rm -rf build\) in permission mode "acceptEdits".*"tools"/ },
    ],
    ['secrets are redacted', { is_error: true, result: 'bad key sk-live-secret' }, {}, { isRetryable: false, message: /bad key \[redacted\]/ }],
  ])('%s', (_name, result, extra, expected) => {
    const error = failure({ state: state(result, extra), process: EXITED_1 });
    expect({ isRetryable: error.isRetryable, statusCode: error.statusCode }).toEqual({ isRetryable: expected.isRetryable, statusCode: expected.statusCode });
    expect(error.message).toMatch(expected.message);
    expect(error.message).not.toContain('sk-live-secret');
  });

  it.each<[string, ClaudeCodeOutcomeInput['process'], { isRetryable: boolean; message: RegExp }]>([
    [
      'stopped by the caller (timeout, Ctrl-C)',
      { exitCode: null, signal: 'SIGTERM', aborted: true, stderrTail: '', stdout: '' },
      { isRetryable: false, message: /stopped before it finished/ },
    ],
    [
      'killed by someone else',
      { exitCode: null, signal: 'SIGKILL', aborted: false, stderrTail: '', stdout: '' },
      { isRetryable: true, message: /killed by SIGKILL/ },
    ],
    [
      'an invalid option',
      { ...EXITED_1, stderrTail: "error: option '--permission-mode <mode>' argument 'x' is invalid." },
      { isRetryable: false, message: /exited with code 1 without a result:\nerror: option/ },
    ],
    [
      'bypassPermissions as root (recorded)',
      { ...EXITED_1, stderrTail: '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons' },
      { isRetryable: false, message: /root\/sudo privileges.*\nRunning as root: use permissionMode "acceptEdits"/s },
    ],
  ])('no result: %s', (_name, process, expected) => {
    const error = failure({ state: state(), process });
    expect(error.isRetryable).toBe(expected.isRetryable);
    expect(error.message).toMatch(expected.message);
  });
});
