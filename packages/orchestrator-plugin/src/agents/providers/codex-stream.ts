import { resolve } from 'node:path';
import type { AgentEvent } from '../agent-adapter';
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
}

type Item = Record<string, unknown> & { id?: string; type?: string };

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
        const command = unwrapShell(String(item.command ?? ''));
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
        if (isNew) options.onEvent({ type: 'tool', name: 'web_search', detail: redact(shorten(String(item.query ?? ''))) });
        return;
      case 'error':
        // Item errors are warnings (e.g. unknown model metadata); fatal ones come as turn.failed.
        if (completed) options.onEvent({ type: 'status', message: `codex warning: ${redact(String(item.message ?? ''))}` });
    }
  };

  return {
    state,
    handleLine(line) {
      const event = parseLine(line);
      if (!event) return false;
      switch (event.type) {
        case 'thread.started':
          state.threadId = typeof event.thread_id === 'string' ? event.thread_id : undefined;
          return false;
        case 'turn.started':
          awaitingModel = true;
          return false;
        case 'item.started':
        case 'item.completed': {
          const item = (event.item ?? {}) as Item;
          const completed = event.type === 'item.completed';
          const isNew = !seenItems.has(item.id ?? '');
          seenItems.add(item.id ?? '');
          if (isNew && countTurn(item)) return true;
          handleItem(item, completed, isNew);
          if (completed && TOOL_ITEMS.has(item.type ?? '')) awaitingModel = true;
          return false;
        }
        case 'turn.completed': {
          const usage = (event.usage ?? {}) as Record<string, unknown>;
          state.inputTokens += numberOf(usage.input_tokens);
          state.outputTokens += numberOf(usage.output_tokens);
          state.completed = true;
          options.onEvent({ type: 'usage', inputTokens: state.inputTokens, outputTokens: state.outputTokens });
          return false;
        }
        case 'turn.failed': {
          const error = (event.error ?? {}) as Record<string, unknown>;
          state.failure = typeof error.message === 'string' && error.message ? error.message : (lastError ?? 'codex reported a failed turn');
          return false;
        }
        case 'error': {
          const message = String(event.message ?? '');
          if (WAITING_FOR_NETWORK.test(message)) {
            state.connectionFailure = message;
            return true;
          }
          // "Reconnecting... 2/5 (...)" is codex retrying on its own (its own provider config): progress, not failure.
          if (/^Reconnecting\.\.\./.test(message)) options.onEvent({ type: 'status', message: `codex: ${redact(message)}` });
          else lastError = message;
          return false;
        }
        default:
          return false;
      }
    },
  };
}

function parseLine(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function numberOf(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function shorten(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > DETAIL_LIMIT ? `${line.slice(0, DETAIL_LIMIT - 1)}…` : line;
}

function changes(item: Item): Array<{ path: string; kind?: string }> {
  const list = Array.isArray(item.changes) ? item.changes : [];
  return list.flatMap((change: unknown) => {
    const record = (change ?? {}) as Record<string, unknown>;
    return typeof record.path === 'string' ? [{ path: record.path, kind: typeof record.kind === 'string' ? record.kind : undefined }] : [];
  });
}

/**
 * The script inside codex's shell wrapper: `/bin/bash -lc "printf … > 'out.txt'"` becomes
 * `printf … > 'out.txt'`. Anything else comes back unchanged.
 */
export function unwrapShell(command: string): string {
  const match = /^\s*(?:\S*\/)?(?:bash|sh|zsh|dash)\s+-l?c\s+([\s\S]*)$/.exec(command);
  if (!match) return command;
  const words = shellWords(match[1]);
  return words.length === 1 && words[0].kind === 'word' ? words[0].text : command;
}

/**
 * Files a shell script writes through `>`, `>>`, `&>` or `tee` (heredoc bodies skipped, `cd`
 * followed), relative to where the script starts. Targets with expansions (`$`, `~`, backticks)
 * and devices are left out: this is a best-effort reading, checked against the disk afterwards.
 */
export function redirectionTargets(script: string): string[] {
  const targets: string[] = [];
  let directory = '';
  let commandWords: string[] = [];
  const words = shellWords(script);
  for (let index = 0; index < words.length; index++) {
    const word = words[index];
    if (word.kind === 'operator') {
      if (/^(?:\d*>>?|&>>?|>\|)$/.test(word.text) && words[index + 1]?.kind === 'word') {
        add(words[++index].text);
        continue;
      }
      if (/^[;&|]+$|^\n$|^[()]$/.test(word.text)) commandWords = [];
      continue;
    }
    commandWords.push(word.text);
    if (commandWords.length === 2 && commandWords[0] === 'cd') directory = joinDirectory(directory, word.text);
    if (commandWords[0] === 'tee' && commandWords.length > 1 && !word.text.startsWith('-')) add(word.text);
  }
  return targets;

  function add(target: string) {
    if (!target || /[$`~*?]/.test(target) || target.startsWith('/dev/') || target.startsWith('&')) return;
    const path = directory && !target.startsWith('/') ? `${directory}/${target}` : target;
    if (!targets.includes(path)) targets.push(path);
  }
}

function joinDirectory(current: string, next: string): string {
  if (/[$`~]/.test(next)) return current;
  return next.startsWith('/') || !current ? next : `${current}/${next}`;
}

type ShellWord = { kind: 'word' | 'operator'; text: string };

/** A small POSIX shell tokenizer: quotes, escapes, operators and heredoc bodies; no expansions. */
function shellWords(script: string): ShellWord[] {
  const words: ShellWord[] = [];
  const heredocs: Array<{ delimiter: string; stripTabs: boolean }> = [];
  let index = 0;
  while (index < script.length) {
    const character = script[index];
    if (character === '\n') {
      words.push({ kind: 'operator', text: '\n' });
      index++;
      // Skip the bodies of heredocs opened on the line just ended.
      for (const heredoc of heredocs.splice(0)) {
        while (index < script.length) {
          const end = script.indexOf('\n', index);
          const line = script.slice(index, end < 0 ? script.length : end);
          index = end < 0 ? script.length : end + 1;
          if ((heredoc.stripTabs ? line.replace(/^\t+/, '') : line) === heredoc.delimiter) break;
        }
      }
      continue;
    }
    if (character === ' ' || character === '\t') {
      index++;
      continue;
    }
    if (character === '#' && (index === 0 || /\s/.test(script[index - 1]))) {
      while (index < script.length && script[index] !== '\n') index++;
      continue;
    }
    const operator = /^(?:<<<|<<-?|\d*>>|\d*>&|&>>|&>|>\||\d*>|<&|<|&&|\|\||[|&;()])/.exec(script.slice(index));
    if (operator) {
      index += operator[0].length;
      if (operator[0] === '<<' || operator[0] === '<<-') {
        const [delimiter, next] = readWord(script, skipBlanks(script, index));
        heredocs.push({ delimiter, stripTabs: operator[0] === '<<-' });
        index = next;
        continue;
      }
      if (/>&$|^<&$/.test(operator[0])) {
        // A descriptor duplication (2>&1): its operand is a descriptor, not a file.
        index = readWord(script, skipBlanks(script, index))[1];
        continue;
      }
      words.push({ kind: 'operator', text: operator[0] });
      continue;
    }
    const [text, next] = readWord(script, index);
    words.push({ kind: 'word', text });
    index = next;
  }
  return words;
}

function skipBlanks(script: string, index: number): number {
  while (script[index] === ' ' || script[index] === '\t') index++;
  return index;
}

/** One word from `index`, quotes removed, ending at a blank, a newline or an operator character. */
function readWord(script: string, index: number): [string, number] {
  let text = '';
  while (index < script.length && !/[\s|&;()<>]/.test(script[index])) {
    const character = script[index];
    if (character === "'") {
      const end = script.indexOf("'", index + 1);
      text += script.slice(index + 1, end < 0 ? script.length : end);
      index = end < 0 ? script.length : end + 1;
    } else if (character === '"') {
      index++;
      while (index < script.length && script[index] !== '"') {
        if (script[index] === '\\' && /["\\$`\n]/.test(script[index + 1] ?? '')) index++;
        text += script[index++];
      }
      index++;
    } else if (character === '\\') {
      text += script[index + 1] ?? '';
      index += 2;
    } else {
      text += character;
      index++;
    }
  }
  return [text, index];
}
