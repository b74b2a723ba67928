import { AgentError, type AgentAdapter, type AgentRunOutput, type AgentRunRequest } from '../agent-adapter';
import { httpAgentError } from '../http-errors';
import type { ProcessOutcome } from '../process/run-process';
import { createCliAgent, type CliAgentDependencies } from './cli-agent';
import { createGeminiHome, type GeminiHome } from './gemini-home';
import { createGeminiStream, mainModel, type GeminiStreamState } from './gemini-stream';

/** Injectable I/O, for tests. */
export interface GeminiAgentDependencies extends CliAgentDependencies {
  createGeminiHome?: typeof createGeminiHome;
}

const PROVIDER = 'gemini';
const KEY_VARIABLE = 'GEMINI_API_KEY';
const TAIL_LIMIT = 1_500;

/**
 * Profile permission modes (Claude Code's names and gemini's own; the table's `permissionModes`
 * for gemini) as gemini's approval modes. Headless gemini cannot ask: in `default` mode only
 * read-only and pre-approved tools run.
 */
export const APPROVAL_MODES: Record<string, string> = {
  acceptEdits: 'auto_edit',
  auto_edit: 'auto_edit',
  autoEdit: 'auto_edit',
  default: 'default',
  dontAsk: 'default',
  bypassPermissions: 'yolo',
  yolo: 'yolo',
  plan: 'plan',
};

/** gemini's exit codes for failures it detects itself (its `Fatal*Error` classes). */
const EXIT_AUTHENTICATION = 41;
const EXIT_TURN_LIMIT = 53;
const FATAL_EXITS: Record<number, string> = {
  42: 'rejected the input',
  44: 'could not start its sandbox',
  52: 'found an invalid configuration',
  54: 'failed to run a tool',
  55: 'does not trust the workspace',
};

/** Failures another attempt can fix: cut or refused connections, timeouts, overload. */
const TRANSIENT =
  /\bterminated\b|fetch failed|other side closed|socket hang up|ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|EAI_AGAIN|UND_ERR|timed? ?out|overloaded|unavailable/i;

/**
 * Runs the gemini CLI headless: `gemini -p "" -o stream-json --skip-trust --approval-mode <mode>`,
 * the prompt on stdin (no argv length limit; a prompt starting with "-" stays a prompt), in the
 * workspace root, with a per-run settings folder (see {@link createGeminiHome}) that turns the
 * CLI's own retries off and carries `maxTurns` and `tools`. Streams turns, tool calls, files
 * written and the token totals as events. gemini reports no cost: the caller prices the tokens.
 */
export function createGeminiAgent(dependencies: GeminiAgentDependencies): AgentAdapter {
  const prepareHome = dependencies.createGeminiHome ?? createGeminiHome;
  return createCliAgent(
    {
      provider: PROVIDER,
      executable: 'gemini',
      installHint: 'npm i -D @google/gemini-cli',
      isStderrNoise: (line) => !isMeaningfulStderr(line),
      invocation({ request, env }) {
        const approvalMode = geminiApprovalMode(request.permissionMode);
        const home = prepareHome({ env, request });
        return {
          args: geminiArguments(request, approvalMode),
          stdin: request.prompt,
          env: geminiEnvironment(env, home),
          status: `running gemini -p${request.model ? ` --model ${request.model}` : ''} --approval-mode ${approvalMode}`,
          notes: home.notes,
          warnings: home.warnings,
          cleanup: home.remove,
        };
      },
      stream: ({ request, redact }) => createGeminiStream({ cwd: request.cwd, onEvent: request.onEvent, redact }),
      outcome: ({ stream, process, request, redact }) => geminiOutcome({ state: stream.state, process, request, redact }),
    },
    dependencies,
  );
}

/** The argv after `gemini`: headless, stream-json, the workspace trusted for this run, the model when the profile names one. */
export function geminiArguments(request: Pick<AgentRunRequest, 'model'>, approvalMode: string): string[] {
  // Without --skip-trust headless gemini exits 55 in a folder it has not been told to trust.
  const args = ['-p', '', '--output-format', 'stream-json', '--skip-trust', '--approval-mode', approvalMode];
  // Without a model gemini picks one per request ("auto"), after a routing call of its own.
  if (request.model) args.push('--model', request.model);
  return args;
}

/** gemini's approval mode for a profile's `permissionMode`; default `auto_edit`, so file edits work headless. */
export function geminiApprovalMode(permissionMode: string | undefined): string {
  // Unknown modes never get here: the adapter refuses them (capabilities), the graph first.
  return permissionMode === undefined ? 'auto_edit' : (APPROVAL_MODES[permissionMode] ?? 'auto_edit');
}

/** The agent's environment: the caller's and the profile's, plus the per-run settings folder and system prompt file. */
export function geminiEnvironment(baseEnv: NodeJS.ProcessEnv, home: Pick<GeminiHome, 'path' | 'systemPromptFile'>): NodeJS.ProcessEnv {
  return { ...baseEnv, GEMINI_CLI_HOME: home.path, ...(home.systemPromptFile ? { GEMINI_SYSTEM_MD: home.systemPromptFile } : {}) };
}

export interface GeminiOutcomeInput {
  state: GeminiStreamState;
  process: Pick<ProcessOutcome, 'exitCode' | 'signal' | 'aborted' | 'stderrTail' | 'stdout'>;
  request: Pick<AgentRunRequest, 'model' | 'maxTurns'>;
  redact: (text: string) => string;
}

/**
 * What one gemini run amounts to: the result of a successful run, or an AgentError saying why
 * it failed and whether another attempt can help. API errors carry their HTTP status in the
 * message or, in gemini's exit code, as status & 0xFF (401 exits 145, 429 exits 173): 429, 408,
 * 409 and 5xx are retryable, as are cut or refused connections; a rejected key, a bad request,
 * missing auth, the turn limit and gemini's own fatal errors are not.
 */
export function geminiOutcome(input: GeminiOutcomeInput): AgentRunOutput {
  const { state, process: outcome, redact } = input;
  const fail = (message: string, details: ConstructorParameters<typeof AgentError>[1]) =>
    new AgentError(redact(message), { exitCode: outcome.exitCode ?? undefined, ...details });
  if (outcome.aborted) throw fail('gemini was stopped before it finished', { isRetryable: false });

  const result = state.result;
  if (result?.status === 'success' && outcome.exitCode === 0) {
    return {
      summary: redact(state.lastText.trim()),
      model: mainModel(result.stats) ?? state.sessionModel ?? input.request.model ?? '',
      turns: state.turns,
      inputTokens: state.inputTokens,
      outputTokens: state.outputTokens,
      filesWritten: [...state.filesWritten],
      ...((result.session_id ?? state.sessionId) && { sessionId: result.session_id ?? state.sessionId }),
    };
  }

  const stderr = meaningfulStderr(outcome.stderrTail);
  // Redacted before the cut: a cut key would no longer match its secret.
  const detail = redact(result?.error?.message ?? state.errors.at(-1) ?? (stderr || outcome.stdout.trim())).slice(-TAIL_LIMIT);
  const exitCode = outcome.exitCode;
  if (result?.error?.type === 'FatalTurnLimitedError' || exitCode === EXIT_TURN_LIMIT) {
    const limit = input.request.maxTurns === undefined ? '' : ` (maxTurns ${input.request.maxTurns})`;
    throw fail(
      `gemini stopped at its turn limit${limit} after ${state.turns} turns without finishing: raise "maxTurns" in the agent profile or narrow the task`,
      { isRetryable: false },
    );
  }
  if (result?.error?.type === 'FatalAuthenticationError' || exitCode === EXIT_AUTHENTICATION) {
    throw fail(`gemini is not authenticated (${detail || 'no details'}): set ${KEY_VARIABLE}, or choose an auth method in ~/.gemini/settings.json`, {
      isRetryable: false,
      statusCode: 401,
    });
  }
  const status = httpStatus(detail, exitCode);
  if (status !== undefined) {
    const error = httpAgentError(status, detail, { provider: PROVIDER, keyVariable: KEY_VARIABLE, retryAfterMs: retryDelay(detail) });
    throw fail(error.message, { isRetryable: error.isRetryable, statusCode: status, retryAfterMs: error.retryAfterMs });
  }
  if (exitCode !== null && FATAL_EXITS[exitCode]) throw fail(`gemini ${FATAL_EXITS[exitCode]} (exit ${exitCode}): ${detail}`, { isRetryable: false });
  if (TRANSIENT.test(`${detail}\n${stderr}`)) throw fail(`gemini could not complete an API request (transient): ${detail}`, { isRetryable: true });
  if (outcome.signal) {
    // Killed by someone else (out of memory, a supervisor): nothing says the next attempt fails too.
    throw fail(`gemini was killed by ${outcome.signal} before it reported a result${detail ? `:\n${detail}` : ''}`, { isRetryable: true });
  }
  const how = result ? 'failed' : `exited with code ${exitCode} without a result`;
  throw fail(`gemini ${how}${detail ? `: ${detail}` : ''}`, { isRetryable: false });
}

/** The HTTP status of an API error: from the error body in the message, else from the exit code (status & 0xFF). */
export function httpStatus(message: string, exitCode: number | null): number | undefined {
  const fromBody = /"code"\s*:\s*([45]\d\d)\b/.exec(message);
  if (fromBody) return Number(fromBody[1]);
  // 400-511 exit as 144-255; gemini's own exit codes are all below 144.
  if (exitCode !== null && exitCode >= 144 && exitCode <= 255) return exitCode + 256;
  return undefined;
}

/** The wait the Gemini API asks for in its message ("Please retry in 12.5s."), in milliseconds. */
function retryDelay(message: string): number | undefined {
  const match = /retry in (\d+(?:\.\d+)?)\s*s\b/i.exec(message);
  return match ? Math.round(Number(match[1]) * 1_000) : undefined;
}

/** A stderr line worth showing: not terminal-capability chatter, startup timing or a stack frame. */
export function isMeaningfulStderr(line: string): boolean {
  if (!line.trim() || /^\s/.test(line) || /^[{}[\]]+,?$/.test(line.trim())) return false;
  return !/256-color support|Ripgrep is not available|^\[STARTUP\]|MaxListenersExceededWarning|--trace-warnings/.test(line);
}

function meaningfulStderr(text: string): string {
  return text.split('\n').filter(isMeaningfulStderr).join('\n').trim();
}
