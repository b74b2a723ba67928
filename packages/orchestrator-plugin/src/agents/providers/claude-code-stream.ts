import { z } from 'zod';
import type { AgentEvent, AgentUsage } from '../agent-adapter';
import { workspacePath } from './workspace-path';
import { isJsonObject, lenient, readJsonLine, type JsonObject } from './json-line';

const usageSchema = z.looseObject({
  input_tokens: lenient.number,
  output_tokens: lenient.number,
  cache_creation_input_tokens: lenient.number,
  cache_read_input_tokens: lenient.number,
});
/** Token counts as Claude Code reports them, per message (`usage`). */
export type ClaudeCodeUsage = z.output<typeof usageSchema>;

const modelUsageSchema = z.looseObject({
  inputTokens: lenient.number,
  outputTokens: lenient.number,
  cacheReadInputTokens: lenient.number,
  cacheCreationInputTokens: lenient.number,
});

const resultSchema = z.looseObject({
  type: z.literal('result'),
  /** `success` (even for API errors: see `is_error`), `error_max_turns`, `error_during_execution`, ... */
  subtype: z.string().catch('unknown'),
  is_error: lenient.boolean,
  result: lenient.string,
  /** Set instead of `result` by the error subtypes. */
  errors: z.array(z.string()).optional().catch(undefined),
  num_turns: lenient.number,
  total_cost_usd: lenient.number,
  session_id: lenient.string,
  usage: usageSchema.optional().catch(undefined),
  modelUsage: z.record(z.string(), modelUsageSchema).optional().catch(undefined),
  permission_denials: z
    .array(z.looseObject({ tool_name: z.string().catch('a tool'), tool_use_id: lenient.string, tool_input: lenient.object }))
    .optional()
    .catch(undefined),
  /** HTTP status of the API error that ended the run, or null. */
  api_error_status: lenient.number,
  /** `connection_failed` for refused or cut connections. */
  api_error: lenient.string,
  terminal_reason: lenient.string,
});
/** The last line of `claude -p --output-format stream-json`: how the run ended. */
export type ClaudeCodeResultMessage = z.output<typeof resultSchema>;

const messageSchema = z
  .looseObject({ id: lenient.string, model: lenient.string, content: lenient.objects, usage: usageSchema.optional().catch(undefined) })
  .catch({});

/** The lines of `claude -p --output-format stream-json --verbose` this version reads; any other line is ignored. */
const claudeCodeLineSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('system'),
    subtype: lenient.string,
    model: lenient.string,
    tools: z.array(z.unknown()).optional().catch(undefined),
    claude_code_version: lenient.string,
    permissionMode: lenient.string,
    attempt: lenient.number,
  }),
  z.looseObject({
    type: z.literal('assistant'),
    message: messageSchema,
    parent_tool_use_id: z.string().nullable().optional().catch(undefined),
    is_api_error_message: lenient.boolean,
    error: lenient.string,
  }),
  z.looseObject({ type: z.literal('user'), message: messageSchema }),
  resultSchema,
]);
type ClaudeCodeLine = z.output<typeof claudeCodeLineSchema>;

/** What the stream has shown so far; read by the outcome once the process ends. */
export interface ClaudeCodeStreamState {
  /** The model named by `system/init`. */
  sessionModel?: string;
  /** The model of the last real (not synthetic) assistant message of the main agent. */
  assistantModel?: string;
  turns: number;
  filesWritten: string[];
  /** The main agent's last text, in case the result carries none. */
  lastText: string;
  /** `error` of the synthetic assistant message Claude Code emits for an API error (`rate_limit`, `authentication_failed`, `server_error`, ...). */
  apiErrorKind?: string;
  result?: ClaudeCodeResultMessage;
  inputTokens: number;
  outputTokens: number;
}

/** A parser of Claude Code's stream-json lines that turns them into progress events. */
export interface ClaudeCodeStream {
  readonly state: ClaudeCodeStreamState;
  handleLine(line: string): void;
  /** What the run used so far, with the cost the CLI reported (also when it failed). */
  usage(): AgentUsage;
}

export interface ClaudeCodeStreamOptions {
  /** The agent's working directory: file paths are reported relative to it. */
  cwd: string;
  onEvent: (event: AgentEvent) => void;
  /** Removes secret values from any text that leaves the adapter. */
  redact: (text: string) => string;
}

/** Tools whose `file_path` (or `notebook_path`) input is a file they change. */
const FILE_WRITING_TOOLS = new Set(['Write', 'Edit', 'MultiEdit', 'NotebookEdit']);
const DETAIL_LIMIT = 80;

type Json = JsonObject;

/**
 * Reads `claude -p --output-format stream-json --verbose` line by line: `system/init`, one
 * `assistant` line per content block (text, tool_use), `user` lines with tool results, and the
 * final `result`. Emits turns, tool calls, files written (once their tool result succeeds),
 * text and running token usage; keeps what the outcome needs in `state`.
 */
export function createClaudeCodeStream(options: ClaudeCodeStreamOptions): ClaudeCodeStream {
  const { onEvent, redact } = options;
  const state: ClaudeCodeStreamState = { turns: 0, filesWritten: [], lastText: '', inputTokens: 0, outputTokens: 0 };
  const seenMessages = new Map<string, { input: number; output: number }>();
  const pendingWrites = new Map<string, string>();

  const displayPath = (path: string) => workspacePath(options.cwd, path);

  function handleAssistant(line: Extract<ClaudeCodeLine, { type: 'assistant' }>): void {
    const message = line.message;
    const synthetic = message.model === '<synthetic>' || line.is_api_error_message === true;
    if (synthetic) {
      if (line.error !== undefined) state.apiErrorKind = line.error;
      return;
    }
    const mainAgent = line.parent_tool_use_id === null || line.parent_tool_use_id === undefined;
    if (message.id !== undefined) trackUsage(message.id, message.usage ?? {}, mainAgent);
    if (mainAgent && message.model !== undefined) state.assistantModel = message.model;
    for (const block of message.content ?? []) {
      if (block.type === 'text' && typeof block.text === 'string' && block.text.trim()) {
        if (mainAgent) state.lastText = block.text;
        onEvent({ type: 'text', text: redact(block.text) });
      } else if (block.type === 'tool_use' && typeof block.name === 'string') {
        const input = isJsonObject(block.input) ? block.input : {};
        const detail = toolDetail(block.name, input, displayPath);
        onEvent({ type: 'tool', name: block.name, ...(detail ? { detail: redact(detail) } : {}) });
        const path = input.file_path ?? input.notebook_path;
        if (FILE_WRITING_TOOLS.has(block.name) && typeof path === 'string' && typeof block.id === 'string') pendingWrites.set(block.id, path);
      }
    }
  }

  function trackUsage(id: string, usage: ClaudeCodeUsage, mainAgent: boolean): void {
    const input = promptTokens(usage);
    const output = usage.output_tokens ?? 0;
    const seen = seenMessages.get(id);
    if (!seen) {
      seenMessages.set(id, { input, output });
      if (mainAgent) {
        state.turns++;
        onEvent({ type: 'turn', turn: state.turns });
      }
      state.inputTokens += input;
      state.outputTokens += output;
      onEvent({ type: 'usage', inputTokens: state.inputTokens, outputTokens: state.outputTokens });
    } else if (output > seen.output) {
      // Later blocks of the same message may carry a higher output count.
      state.outputTokens += output - seen.output;
      seen.output = output;
    }
  }

  function handleToolResults(line: Extract<ClaudeCodeLine, { type: 'user' }>): void {
    for (const block of line.message.content ?? []) {
      if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
      const path = pendingWrites.get(block.tool_use_id);
      pendingWrites.delete(block.tool_use_id);
      // A denied or failed write changed nothing.
      if (path === undefined || block.is_error === true) continue;
      const shown = displayPath(path);
      if (!state.filesWritten.includes(shown)) state.filesWritten.push(shown);
      onEvent({ type: 'file', path: shown });
    }
  }

  function handleSystem(line: Extract<ClaudeCodeLine, { type: 'system' }>): void {
    if (line.subtype === 'init') {
      if (line.model !== undefined) state.sessionModel = line.model;
      const tools = line.tools?.length ?? 0;
      const version = line.claude_code_version !== undefined ? ` ${line.claude_code_version}` : '';
      onEvent({
        type: 'status',
        message: `claude${version} started · model ${String(line.model ?? 'default')} · permission mode ${String(line.permissionMode ?? 'default')} · ${tools} tools`,
      });
    } else if (line.subtype === 'api_retry') {
      onEvent({ type: 'status', message: `claude is retrying an API request (attempt ${String(line.attempt ?? '?')})` });
    } else if (line.subtype === 'compact_boundary') {
      onEvent({ type: 'status', message: 'claude compacted its conversation' });
    }
  }

  function handleResult(result: ClaudeCodeResultMessage): void {
    state.result = result;
    const totals = resultTokens(result);
    if (totals && (totals.input !== state.inputTokens || totals.output !== state.outputTokens)) {
      state.inputTokens = totals.input;
      state.outputTokens = totals.output;
      onEvent({ type: 'usage', inputTokens: totals.input, outputTokens: totals.output });
    }
  }

  return {
    state,
    usage: () => ({
      inputTokens: state.inputTokens,
      outputTokens: state.outputTokens,
      ...(state.result?.total_cost_usd !== undefined && { costUsd: state.result.total_cost_usd }),
      ...(state.assistantModel && { model: state.assistantModel }),
    }),
    handleLine(text: string): void {
      const line = readJsonLine(text, claudeCodeLineSchema);
      if (!line) {
        // Not JSON: the CLI's plain output. JSON of another type: a line this version does not read.
        if (text.trim() && !text.trim().startsWith('{')) onEvent({ type: 'text', text: redact(text) });
        return;
      }
      if (line.type === 'assistant') handleAssistant(line);
      else if (line.type === 'user') handleToolResults(line);
      else if (line.type === 'system') handleSystem(line);
      else if (line.type === 'result') handleResult(line);
    },
  };
}

/**
 * The tokens of a finished run: summed over `modelUsage` (which covers subagents and the
 * small side requests) or else `usage`; prompt tokens include cached ones.
 */
export function resultTokens(result: ClaudeCodeResultMessage): { input: number; output: number } | undefined {
  const models = Object.values(result.modelUsage ?? {});
  if (models.length) {
    return models.reduce<{ input: number; output: number }>(
      (total, model) => ({
        input: total.input + (model.inputTokens ?? 0) + (model.cacheReadInputTokens ?? 0) + (model.cacheCreationInputTokens ?? 0),
        output: total.output + (model.outputTokens ?? 0),
      }),
      { input: 0, output: 0 },
    );
  }
  return result.usage ? { input: promptTokens(result.usage), output: result.usage.output_tokens ?? 0 } : undefined;
}

/** A short description of a tool call for the progress line: the file, command, pattern or URL it acts on. */
export function toolDetail(name: string, input: Json, displayPath: (path: string) => string): string | undefined {
  const path = input.file_path ?? input.notebook_path ?? input.path;
  if (typeof path === 'string' && path) return displayPath(path);
  const value = [input.command, input.pattern, input.url, input.query, input.description, input.skill].find(
    (candidate) => typeof candidate === 'string' && candidate,
  );
  if (typeof value !== 'string') return undefined;
  const firstLine = value.split('\n')[0];
  const shortened = firstLine.length > DETAIL_LIMIT ? `${firstLine.slice(0, DETAIL_LIMIT - 1)}…` : firstLine;
  return name === 'Bash' ? `\`${shortened}\`` : shortened;
}

function promptTokens(usage: ClaudeCodeUsage): number {
  return (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}
