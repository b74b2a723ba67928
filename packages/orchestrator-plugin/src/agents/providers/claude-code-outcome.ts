import { AgentError, type AgentRunOutput, type AgentRunRequest } from '../agent-adapter';
import { httpAgentError } from '../http-errors';
import type { ProcessOutcome } from '../process/run-process';
import { processTail } from './cli-agent';
import { resultTokens, type ClaudeCodeResultMessage, type ClaudeCodeStreamState } from './claude-code-stream';

const PROVIDER = 'claude-code';
const TAIL_LIMIT = 1_500;

export interface ClaudeCodeOutcomeInput {
  state: ClaudeCodeStreamState;
  process: Pick<ProcessOutcome, 'exitCode' | 'signal' | 'aborted' | 'stderrTail' | 'stdout'>;
  request: Pick<AgentRunRequest, 'model' | 'maxTurns' | 'permissionMode' | 'budget'>;
  /** The credential variable to name when the API rejects the key. */
  keyVariable: string;
  redact: (text: string) => string;
}

/**
 * What one `claude -p` run amounts to: the result of a successful run, or an AgentError saying
 * why it failed and whether another attempt can help. Transient API failures (429, 408, 409,
 * 5xx, 529, timeouts, lost connections) are retryable; rejected credentials, bad requests,
 * permission denials, the turn limit and a CLI that cannot start are not.
 */
export function claudeCodeOutcome(input: ClaudeCodeOutcomeInput): AgentRunOutput {
  const { state, process: outcome, redact } = input;
  const fail = (message: string, details: ConstructorParameters<typeof AgentError>[1]) =>
    new AgentError(redact(message), { exitCode: outcome.exitCode ?? undefined, ...details });

  if (outcome.aborted) throw fail('claude was stopped before it finished', { isRetryable: false });
  const result = state.result;
  if (!result) throw noResultError(input, fail);

  if (result.subtype === 'error_max_turns') {
    const limit = input.request.maxTurns === undefined ? '' : ` (maxTurns ${input.request.maxTurns})`;
    throw fail(
      `claude stopped at its turn limit${limit} after ${result.num_turns ?? state.turns} turns without finishing: raise "maxTurns" in the agent profile or narrow the task`,
      {
        isRetryable: false,
      },
    );
  }
  if (result.subtype === 'error_max_budget_usd') {
    const limit = input.request.budget?.maxCostUsd === undefined ? '' : ` of $${input.request.budget.maxCostUsd.toFixed(4)}`;
    const spent = typeof result.total_cost_usd === 'number' ? ` after spending $${result.total_cost_usd.toFixed(4)}` : '';
    throw fail(`claude stopped at its budget${limit} (the task's maxCost)${spent} without finishing: raise "maxCost" or narrow the task`, {
      isRetryable: false,
    });
  }
  if (result.is_error) throw apiError(input, result, fail);

  const denials = result.permission_denials ?? [];
  if (denials.length) {
    const listed = denials.map((denial) => describeDenial(denial)).join(', ');
    throw fail(
      `claude was denied ${denials.length} tool call${denials.length === 1 ? '' : 's'} (${listed}) in permission mode "${input.request.permissionMode ?? 'acceptEdits'}": ` +
        'allow them in the profile\'s "tools" (e.g. "Write", "Bash(npm test)") or choose another "permissionMode"',
      { isRetryable: false },
    );
  }
  if (result.subtype !== 'success') {
    throw fail(`claude ended with "${result.subtype}"${result.errors?.length ? `: ${result.errors.join('; ')}` : ''}`, { isRetryable: false });
  }

  const tokens = resultTokens(result) ?? { input: state.inputTokens, output: state.outputTokens };
  return {
    summary: redact((typeof result.result === 'string' && result.result.trim() ? result.result : state.lastText).trim()),
    model: state.assistantModel ?? Object.keys(result.modelUsage ?? {})[0] ?? state.sessionModel ?? input.request.model ?? '',
    turns: result.num_turns ?? state.turns,
    inputTokens: tokens.input,
    outputTokens: tokens.output,
    ...(typeof result.total_cost_usd === 'number' ? { costUsd: result.total_cost_usd } : {}),
    filesWritten: [...state.filesWritten],
    ...(result.session_id && { sessionId: result.session_id }),
  };
}

type Fail = (message: string, details: ConstructorParameters<typeof AgentError>[1]) => AgentError;

/** The process ended without a result line: it could not start, crashed or was killed. */
function noResultError(input: ClaudeCodeOutcomeInput, fail: Fail): AgentError {
  const { process: outcome } = input;
  // Redacted before the cut: a cut key would no longer match its secret.
  const tail = processTail(outcome, TAIL_LIMIT, input.redact);
  if (outcome.signal) {
    // Killed by someone else (out of memory, a supervisor): nothing says the next attempt fails too.
    return fail(`claude was killed by ${outcome.signal} before it reported a result${tail ? `:\n${tail}` : ''}`, { isRetryable: true });
  }
  const rootHint =
    /root|sudo/i.test(tail) && /permission/i.test(tail)
      ? '\nRunning as root: use permissionMode "acceptEdits" and list commands in "tools" instead of "bypassPermissions".'
      : '';
  return fail(`claude exited with code ${outcome.exitCode} without a result${tail ? `:\n${tail}` : ''}${rootHint}`, { isRetryable: false });
}

/** An `is_error` result: an API failure, or one Claude Code met before any request. */
function apiError(input: ClaudeCodeOutcomeInput, result: ClaudeCodeResultMessage, fail: Fail): AgentError {
  const text = result.result ?? result.errors?.join('; ') ?? 'no details';
  const status = typeof result.api_error_status === 'number' ? result.api_error_status : undefined;
  if (status !== undefined) {
    const error = httpAgentError(status, text, { provider: PROVIDER, keyVariable: input.keyVariable });
    return fail(error.message, { isRetryable: error.isRetryable, statusCode: status });
  }
  const kind = input.state.apiErrorKind;
  if (kind === 'authentication_failed' || /not logged in|invalid api key|authenticat/i.test(text)) {
    return fail(`${PROVIDER} is not authenticated (${text}): set ${input.keyVariable}, or log in with \`claude /login\``, {
      isRetryable: false,
      statusCode: 401,
    });
  }
  if (kind === 'rate_limit') return fail(`${PROVIDER} rate limit: ${text}`, { isRetryable: true, statusCode: 429 });
  if (
    result.api_error === 'connection_failed' ||
    kind === 'server_error' ||
    /timed out|timeout|connection|ECONNRESET|ECONNREFUSED|socket hang up|overloaded/i.test(text)
  ) {
    return fail(`${PROVIDER} could not complete an API request (transient): ${text}`, { isRetryable: true });
  }
  return fail(`${PROVIDER} failed: ${text}`, { isRetryable: false });
}

function describeDenial(denial: NonNullable<ClaudeCodeResultMessage['permission_denials']>[number]): string {
  const input = denial.tool_input ?? {};
  const target = input.file_path ?? input.command ?? input.notebook_path ?? input.url;
  if (typeof target !== 'string') return denial.tool_name;
  // Already redacted: the skeleton redacts every stream line before it is parsed.
  const shown = target.length > 60 ? `${target.slice(0, 59)}…` : target;
  return `${denial.tool_name} ${shown}`;
}
