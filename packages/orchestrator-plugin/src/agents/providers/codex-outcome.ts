import { statSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { AgentError, type AgentRunOutput, type AgentRunRequest } from '../agent-adapter';
import { httpAgentError } from '../http-errors';
import type { ProcessOutcome } from '../process/run-process';
import type { CodexStreamState } from './codex-stream';

export interface CodexOutcomeInput {
  state: CodexStreamState;
  process: ProcessOutcome;
  request: Pick<AgentRunRequest, 'cwd' | 'model' | 'maxTurns'>;
  /** The variable to name in an auth error. */
  keyVariable: string;
  /** The base URL codex was pointed at, when the adapter configured one. */
  endpoint?: string;
  redact: (text: string) => string;
  /** When the run started (epoch ms): files older than this were not written by it. */
  startedAtMs: number;
  /** The model codex chose when the profile names none; read only on success. */
  readSessionModel?: () => string | undefined;
}

const PROVIDER = 'codex';
/** File systems with coarse timestamps may date a fresh write slightly before the run began. */
const MTIME_SLACK_MS = 2_000;
/** Startup noise codex prints on stderr even when all is well. */
const STDERR_NOISE = /could not create PATH aliases|Reading additional input from stdin|Refusing to create helper binaries/;

/**
 * The result of one `codex exec` run, or the AgentError that says why it failed and whether
 * another attempt may help. Files written are the ones codex's items claim (file changes and
 * shell redirections) that exist, lie inside the workspace and were modified during the run.
 */
export function codexOutcome(input: CodexOutcomeInput): AgentRunOutput {
  const { state, process, request, redact } = input;
  if (state.maxTurnsExceeded) {
    throw new AgentError(`codex reached maxTurns (${request.maxTurns}) before finishing: raise maxTurns in the profile or split the task`, {
      isRetryable: false,
    });
  }
  if (state.connectionFailure) {
    const where = input.endpoint ? ` ${input.endpoint}` : ' its model endpoint';
    throw new AgentError(`codex could not reach${where}: ${redact(state.connectionFailure)}`, { isRetryable: true });
  }
  if (process.aborted) throw new AgentError('codex was stopped', { isRetryable: false });
  if (state.failure) throw classifyCodexFailure(state.failure, input);
  if (process.exitCode !== 0) {
    const stderr = process.stderrTail
      .split('\n')
      .filter((line) => line.trim() && !STDERR_NOISE.test(line))
      .join('\n')
      .trim();
    const error = classifyCodexFailure(stderr || `exited with ${process.exitCode ?? process.signal}`, input);
    throw new AgentError(error.message, {
      isRetryable: error.isRetryable,
      statusCode: error.statusCode,
      exitCode: process.exitCode ?? undefined,
      cause: error,
    });
  }
  if (!state.completed) throw new AgentError('codex ended without completing its turn (no turn.completed event)', { isRetryable: false, exitCode: 0 });
  return {
    summary: state.lastMessage?.trim() || 'codex finished without a final message.',
    model: request.model ?? input.readSessionModel?.() ?? '',
    turns: state.turns,
    inputTokens: state.inputTokens,
    outputTokens: state.outputTokens,
    filesWritten: writtenFiles(state.claimedFiles, request.cwd, input.startedAtMs),
    ...(state.threadId && { sessionId: state.threadId }),
  };
}

/**
 * Classifies a codex failure message. codex folds the HTTP status into text:
 * `unexpected status 401 Unauthorized: …`, `exceeded retry limit, last status: 429 …`, a raw
 * OpenAI error body for 400, "high demand" for 500, "stream disconnected" for a cut stream.
 * Transient ones (429, 408, 409, 5xx, cut streams, timeouts) are retryable; auth, bad requests,
 * quota and context-window errors are not. Unknown messages are not retried.
 */
export function classifyCodexFailure(message: string, options: Pick<CodexOutcomeInput, 'keyVariable' | 'redact' | 'endpoint'>): AgentError {
  const detail = options.redact(message.trim());
  const http = (status: number) => httpAgentError(status, detail, { provider: PROVIDER, keyVariable: options.keyVariable });
  const missing = /Missing environment variable: `?([A-Z0-9_]+)`?/.exec(message);
  if (missing) {
    return new AgentError(`codex needs ${missing[1]}: set it in the environment or in the profile's env (${detail})`, { isRetryable: false });
  }
  const status = /(?:unexpected status|last status:?)\s+(\d{3})\b/i.exec(message);
  if (status) return http(Number(status[1]));
  const body = openAiErrorBody(message);
  if (body) return http(body);
  if (/usage limit|quota|insufficient_quota|billing/i.test(message))
    return new AgentError(`codex: quota or usage limit reached: ${detail}`, { isRetryable: false });
  if (/context window|context_length_exceeded|maximum context length/i.test(message)) {
    return new AgentError(`codex: the prompt does not fit the model's context window: ${detail}`, { isRetryable: false });
  }
  if (/high demand|overloaded|temporar(?:y|ily)|internal server error|server_error/i.test(message)) {
    return new AgentError(`codex: the model server is overloaded or failed (retryable): ${detail}`, { isRetryable: true });
  }
  if (/stream disconnected|error sending request|connection (?:refused|reset|closed)|timed? ?out|idle timeout|broken pipe|transport error/i.test(message)) {
    return new AgentError(`codex: the connection to the model server failed (retryable): ${detail}`, { isRetryable: true });
  }
  return new AgentError(`codex failed: ${detail}`, { isRetryable: false });
}

/** The HTTP status an OpenAI error body (`{"error":{type, code}}`) stands for, when codex passes one on raw. */
function openAiErrorBody(message: string): number | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const error = (JSON.parse(message.slice(start)) as { error?: { type?: unknown; code?: unknown } }).error;
    if (!error) return undefined;
    if (error.code === 'rate_limit_exceeded' || error.type === 'rate_limit_error') return 429;
    if (error.code === 'invalid_api_key' || error.type === 'authentication_error') return 401;
    if (error.code === 'model_not_found') return 404;
    if (error.type === 'server_error') return 500;
    if (error.type === 'invalid_request_error') return 400;
    return undefined;
  } catch {
    return undefined;
  }
}

function writtenFiles(claimed: readonly string[], cwd: string, startedAtMs: number): string[] {
  const files: string[] = [];
  for (const path of claimed) {
    const inside = relative(cwd, path);
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) continue;
    try {
      const stats = statSync(path);
      if (stats.isFile() && stats.mtimeMs >= startedAtMs - MTIME_SLACK_MS) files.push(inside.split('\\').join('/'));
    } catch {
      // Claimed but not there (deleted later, or a misread command): not written.
    }
  }
  return [...new Set(files)].sort();
}
