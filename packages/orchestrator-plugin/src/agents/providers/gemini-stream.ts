import { z } from 'zod';
import type { AgentEvent, AgentUsage } from '../agent-adapter';
import { workspacePath } from './workspace-path';
import { lenient, readJsonLine, type JsonObject } from './json-line';

const tokenFields = { total_tokens: lenient.number, input_tokens: lenient.number, output_tokens: lenient.number, cached: lenient.number };
const statsSchema = z.looseObject({
  ...tokenFields,
  tool_calls: lenient.number,
  models: z.record(z.string(), z.looseObject(tokenFields)).optional().catch(undefined),
});
/** Token totals of `gemini -o stream-json`, overall and per model (`models`); input tokens include cached ones. */
export type GeminiStreamStats = z.output<typeof statsSchema>;

const resultSchema = z.looseObject({
  type: z.literal('result'),
  status: z.enum(['success', 'error']).catch('error'),
  /** `type` is the CLI's error class (`FatalTurnLimitedError`, ...) or `unknown` for API errors. */
  error: z.looseObject({ type: lenient.string, message: lenient.string }).optional().catch(undefined),
  stats: statsSchema.optional().catch(undefined),
  session_id: lenient.string,
});
/** The last line of `gemini -o stream-json`: how the run ended. */
export type GeminiResultEvent = z.output<typeof resultSchema>;

/** The lines of `gemini -o stream-json` this version reads; any other line is ignored. */
const geminiLineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('init'), model: lenient.string, session_id: lenient.string }),
  z.looseObject({ type: z.literal('message'), role: lenient.string, content: lenient.string }),
  z.looseObject({ type: z.literal('tool_use'), tool_name: lenient.string, tool_id: lenient.string, parameters: z.looseObject({}).catch({}) }),
  z.looseObject({
    type: z.literal('tool_result'),
    tool_id: lenient.string,
    status: lenient.string,
    error: z.looseObject({ message: lenient.string }).optional().catch(undefined),
  }),
  z.looseObject({ type: z.literal('error'), message: lenient.string, severity: lenient.string }),
  resultSchema,
]);
type GeminiLine = z.output<typeof geminiLineSchema>;

/** What the stream has shown so far; read by the outcome once the process ends. */
export interface GeminiStreamState {
  /** The model named by the `init` line. */
  sessionModel?: string;
  /** The session named by the `init` line. */
  sessionId?: string;
  turns: number;
  filesWritten: string[];
  /** The agent's text of the last turn that had any: its final answer. */
  lastText: string;
  /** Messages of `error` lines (loop detected, turn limit, invalid response, blocked tool). */
  errors: string[];
  result?: GeminiResultEvent;
  inputTokens: number;
  outputTokens: number;
}

/** A parser of gemini's stream-json lines that turns them into progress events. */
export interface GeminiStream {
  readonly state: GeminiStreamState;
  handleLine(line: string): void;
  /** What the run used so far (gemini reports tokens only at the end, failed or not). */
  usage(): AgentUsage;
}

export interface GeminiStreamOptions {
  /** The agent's working directory: file paths are reported relative to it. */
  cwd: string;
  onEvent: (event: AgentEvent) => void;
  /** Removes secret values from any text that leaves the adapter. */
  redact: (text: string) => string;
}

/** gemini's tools that change the file named by their `file_path` parameter. */
const FILE_WRITING_TOOLS = new Set(['write_file', 'replace']);
const DETAIL_LIMIT = 80;

type Json = JsonObject;

/**
 * Reads `gemini -o stream-json` line by line: `init`, `message` (the user's prompt echoed,
 * then the agent's text in deltas), `tool_use`, `tool_result`, `error` (warnings such as a
 * detected loop) and the final `result` with token stats. A turn is one model reply: it
 * starts with the first text or tool call after the prompt or after tool results. Emits
 * turns, tool calls, files written (once their result succeeds), each turn's text, and the
 * token totals, which gemini reports only at the end.
 */
export function createGeminiStream(options: GeminiStreamOptions): GeminiStream {
  const { onEvent, redact } = options;
  const state: GeminiStreamState = { turns: 0, filesWritten: [], lastText: '', errors: [], inputTokens: 0, outputTokens: 0 };
  const pendingWrites = new Map<string, string>();
  let turnText = '';
  let inTurn = false;

  const displayPath = (path: string) => workspacePath(options.cwd, path);

  function startTurnIfNeeded(): void {
    if (inTurn) return;
    inTurn = true;
    turnText = '';
    state.turns++;
    onEvent({ type: 'turn', turn: state.turns });
  }

  function flushText(): void {
    if (!turnText.trim()) return;
    state.lastText = turnText;
    onEvent({ type: 'text', text: redact(turnText) });
    turnText = '';
  }

  function handleToolUse(line: Extract<GeminiLine, { type: 'tool_use' }>): void {
    startTurnIfNeeded();
    flushText();
    const name = line.tool_name ?? 'tool';
    const parameters = line.parameters;
    const detail = geminiToolDetail(parameters, displayPath);
    onEvent({ type: 'tool', name, ...(detail ? { detail: redact(detail) } : {}) });
    if (FILE_WRITING_TOOLS.has(name) && typeof parameters.file_path === 'string' && line.tool_id !== undefined) {
      pendingWrites.set(line.tool_id, parameters.file_path);
    }
  }

  function handleToolResult(line: Extract<GeminiLine, { type: 'tool_result' }>): void {
    // gemini sends the results back in its next request: whatever comes next is a new turn.
    inTurn = false;
    const path = line.tool_id !== undefined ? pendingWrites.get(line.tool_id) : undefined;
    if (line.tool_id !== undefined) pendingWrites.delete(line.tool_id);
    if (line.status !== 'success') {
      const error = line.error?.message ?? 'failed';
      onEvent({ type: 'status', message: `gemini tool call failed: ${redact(error)}` });
      return;
    }
    if (path === undefined) return;
    const shown = displayPath(path);
    if (!state.filesWritten.includes(shown)) state.filesWritten.push(shown);
    onEvent({ type: 'file', path: shown });
  }

  function handleResult(result: GeminiResultEvent): void {
    flushText();
    state.result = result;
    const tokens = result.stats ? streamTokens(result.stats) : undefined;
    if (tokens && (tokens.input > 0 || tokens.output > 0)) {
      state.inputTokens = tokens.input;
      state.outputTokens = tokens.output;
      onEvent({ type: 'usage', inputTokens: tokens.input, outputTokens: tokens.output });
    }
  }

  return {
    state,
    usage: () => ({ inputTokens: state.inputTokens, outputTokens: state.outputTokens, ...(state.sessionModel && { model: state.sessionModel }) }),
    handleLine(text: string): void {
      const line = readJsonLine(text, geminiLineSchema);
      if (!line) {
        // Not JSON: the CLI's plain output. JSON of another type: a line this version does not read.
        if (text.trim() && !text.trim().startsWith('{')) onEvent({ type: 'text', text: redact(text) });
        return;
      }
      if (line.type === 'init') {
        if (line.model !== undefined) state.sessionModel = line.model;
        if (line.session_id !== undefined) state.sessionId = line.session_id;
        onEvent({ type: 'status', message: `gemini started · model ${line.model ?? 'default'}` });
      } else if (line.type === 'message' && line.role === 'assistant' && line.content !== undefined) {
        startTurnIfNeeded();
        turnText += line.content;
      } else if (line.type === 'tool_use') {
        handleToolUse(line);
      } else if (line.type === 'tool_result') {
        handleToolResult(line);
      } else if (line.type === 'error' && line.message !== undefined) {
        state.errors.push(line.message);
        onEvent({ type: 'status', message: `gemini ${line.severity === 'warning' ? 'warning' : 'error'}: ${redact(line.message)}` });
      } else if (line.type === 'result') {
        handleResult(line);
      }
    },
  };
}

/**
 * A run's tokens from its stats: prompt tokens (cached ones included) in, and out the larger of
 * the reply tokens and total minus prompt, which also counts thinking tokens (billed as output).
 */
export function streamTokens(stats: GeminiStreamStats): { input: number; output: number } {
  const input = stats.input_tokens ?? 0;
  const output = Math.max(stats.output_tokens ?? 0, (stats.total_tokens ?? 0) - input);
  return { input, output };
}

/** The model that did the work: the one with the most tokens in the stats (routing calls use small models). */
export function mainModel(stats: GeminiStreamStats | undefined): string | undefined {
  const models = Object.entries(stats?.models ?? {});
  models.sort(([, a], [, b]) => (b.total_tokens ?? 0) - (a.total_tokens ?? 0));
  return models[0]?.[0];
}

/** A short description of a tool call for the progress line: the file, folder, command, pattern or URL it acts on. */
export function geminiToolDetail(parameters: Json, displayPath: (path: string) => string): string | undefined {
  const path = parameters.file_path ?? parameters.dir_path ?? parameters.path;
  if (typeof path === 'string' && path) return displayPath(path);
  const value = [parameters.command, parameters.pattern, parameters.url, parameters.query, parameters.prompt].find(
    (candidate) => typeof candidate === 'string' && candidate,
  );
  if (typeof value !== 'string') return undefined;
  const firstLine = value.split('\n')[0];
  const shortened = firstLine.length > DETAIL_LIMIT ? `${firstLine.slice(0, DETAIL_LIMIT - 1)}…` : firstLine;
  return parameters.command === value ? `\`${shortened}\`` : shortened;
}
