import { resolve } from 'node:path';
import { z } from 'zod';
import type { AgentEvent, AgentUsage } from '../agent-adapter';
import { lenient, readJsonLine } from './json-line';
import { redirectionTargets, unwrapShell } from './shell-words';
import { workspacePath } from './workspace-path';

/** What `codex exec --json` has told us so far. */
export interface CodexStreamState {
  threadId?: string;
  /** Model responses seen: a new one starts with the first new item after a tool result went back. */
  turns: number;
  /** Summed over every `turn.completed`; `input_tokens` already includes cached ones. */
  inputTokens: number;
  outputTokens: number;
  /** The last `agent_message`: the agent's final answer. */
  lastMessage?: string;
  /** Absolute paths that file changes and shell redirections claim to have written, in order. */
  claimedFiles: string[];
  /** From `turn.failed` (or the last top-level `error` before it). */
  failure?: string;
  /** Set when codex waits for the network in a loop it never leaves: the process must be stopped. */
  connectionFailure?: string;
  /** Set when a new model turn would exceed `maxTurns`: the process must be stopped. */
  maxTurnsExceeded?: boolean;
  completed: boolean;
}

export interface CodexStreamOptions {
  /** The agent's working directory: where relative paths in commands point. */
  cwd: string;
  onEvent: (event: AgentEvent) => void;
  /** Stops the run once codex would start model turn `maxTurns + 1`. */
  maxTurns?: number;
  /** Removes secrets from text before it leaves as an event. */
  redact?: (text: string) => string;
}

/** Reads codex's JSONL stream line by line; `handleLine` returns true when the process must be stopped. */
export interface CodexStream {
  readonly state: CodexStreamState;
  handleLine(line: string): boolean;
  /** What the run used so far (also when it failed). */
  usage(): AgentUsage;
}

const itemSchema = z.looseObject({
  id: lenient.string,
  type: lenient.string,
  text: lenient.string,
  command: lenient.string,
  exit_code: lenient.number,
  status: lenient.string,
  changes: lenient.objects,
  server: lenient.string,
  tool: lenient.string,
  query: lenient.string,
  message: lenient.string,
});
type Item = z.output<typeof itemSchema>;

/** The lines of `codex exec --json` this version reads; any other line is ignored. */
const codexLineSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: lenient.string }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({ type: z.enum(['item.started', 'item.completed']), item: itemSchema.catch({}) }),
  z.looseObject({ type: z.literal('turn.completed'), usage: z.looseObject({ input_tokens: lenient.number, output_tokens: lenient.number }).catch({}) }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: lenient.string }).catch({}) }),
  z.looseObject({ type: z.literal('error'), message: lenient.string }),
]);

const TOOL_ITEMS = new Set(['command_execution', 'file_change', 'mcp_tool_call', 'web_search']);
const DETAIL_LIMIT = 120;
/** codex's own endless loop when the endpoint cannot be reached (it ignores request_max_retries). */
const WAITING_FOR_NETWORK = /waiting for network/i;

/**
 * Turns `codex exec --json` lines (thread.started, turn.started, item.started / item.completed
 * with agent_message | command_execution | file_change | mcp_tool_call | web_search | error,
 * turn.completed {usage}, turn.failed {error}, error) into progress events and a running state.
 * Lines that are not JSON are ignored. Model turns are counted, not read: codex reports one
 * "turn" per prompt, so each batch of new items after a tool result counts as one model turn.
 */
export function createCodexStream(options: CodexStreamOptions): CodexStream {
  const redact = options.redact ?? ((text: string) => text);
  const state: CodexStreamState = { turns: 0, inputTokens: 0, outputTokens: 0, claimedFiles: [], completed: false };
  // Item ids seen so far: a tool is announced, and a turn counted, when its item first appears.
  const seenItems = new Set<string>();
  let awaitingModel = false;
  let lastError: string | undefined;

  const claim = (path: string) => {
    const absolute = resolve(options.cwd, path);
    if (state.claimedFiles.includes(absolute)) return;
    state.claimedFiles.push(absolute);
    options.onEvent({ type: 'file', path: workspacePath(options.cwd, absolute) });
  };

  /** Counts a model turn when a new item arrives after a tool result; returns true past maxTurns. */
  const countTurn = (item: Item): boolean => {
    if (!awaitingModel || item.type === 'error') return false;
    awaitingModel = false;
    if (options.maxTurns !== undefined && state.turns >= options.maxTurns) {
      state.maxTurnsExceeded = true;
      return true;
    }
    state.turns += 1;
    options.onEvent({ type: 'turn', turn: state.turns });
    return false;
  };

  const handleItem = (item: Item, completed: boolean, isNew: boolean) => {
    switch (item.type) {
      case 'agent_message':
        if (completed && typeof item.text === 'string') {
          state.lastMessage = item.text;
          options.onEvent({ type: 'text', text: redact(item.text) });
        }
        return;
      case 'command_execution': {
        const command = unwrapShell(item.command ?? '');
        if (isNew) options.onEvent({ type: 'tool', name: 'shell', detail: redact(shorten(command)) });
        if (completed && item.exit_code === 0) for (const target of redirectionTargets(command)) claim(target);
        return;
      }
      case 'file_change':
        if (!completed) return;
        options.onEvent({
          type: 'tool',
          name: 'apply_patch',
          detail: shorten(
            changes(item)
              .map((change) => change.path)
              .join(', '),
          ),
        });
        if (item.status !== 'failed') for (const change of changes(item)) if (change.kind !== 'delete') claim(change.path);
        return;
      case 'mcp_tool_call':
        if (isNew) options.onEvent({ type: 'tool', name: `${item.server ?? 'mcp'}.${item.tool ?? 'tool'}` });
        return;
      case 'web_search':
        if (isNew) options.onEvent({ type: 'tool', name: 'web_search', detail: redact(shorten(item.query ?? '')) });
        return;
      case 'error':
        // Item errors are warnings (e.g. unknown model metadata); fatal ones come as turn.failed.
        if (completed) options.onEvent({ type: 'status', message: `codex warning: ${redact(item.message ?? '')}` });
    }
  };

  return {
    state,
    usage: () => ({ inputTokens: state.inputTokens, outputTokens: state.outputTokens }),
    handleLine(line) {
      const event = readJsonLine(line, codexLineSchema);
      if (!event) return false;
      switch (event.type) {
        case 'thread.started':
          state.threadId = event.thread_id;
          return false;
        case 'turn.started':
          awaitingModel = true;
          return false;
        case 'item.started':
        case 'item.completed': {
          const item = event.item;
          const completed = event.type === 'item.completed';
          const isNew = !seenItems.has(item.id ?? '');
          seenItems.add(item.id ?? '');
          if (isNew && countTurn(item)) return true;
          handleItem(item, completed, isNew);
          if (completed && TOOL_ITEMS.has(item.type ?? '')) awaitingModel = true;
          return false;
        }
        case 'turn.completed': {
          state.inputTokens += event.usage.input_tokens ?? 0;
          state.outputTokens += event.usage.output_tokens ?? 0;
          state.completed = true;
          options.onEvent({ type: 'usage', inputTokens: state.inputTokens, outputTokens: state.outputTokens });
          return false;
        }
        case 'turn.failed': {
          state.failure = event.error.message || (lastError ?? 'codex reported a failed turn');
          return false;
        }
        case 'error': {
          const message = event.message ?? '';
          if (WAITING_FOR_NETWORK.test(message)) {
            state.connectionFailure = message;
            return true;
          }
          // "Reconnecting... 2/5 (...)" is codex retrying on its own (its own provider config): progress, not failure.
          if (/^Reconnecting\.\.\./.test(message)) options.onEvent({ type: 'status', message: `codex: ${redact(message)}` });
          else lastError = message;
          return false;
        }
      }
    },
  };
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > DETAIL_LIMIT ? `${line.slice(0, DETAIL_LIMIT - 1)}…` : line;
}

function changes(item: Item): Array<{ path: string; kind?: string }> {
  return (item.changes ?? []).flatMap((change) =>
    typeof change.path === 'string' ? [{ path: change.path, kind: typeof change.kind === 'string' ? change.kind : undefined }] : [],
  );
}
