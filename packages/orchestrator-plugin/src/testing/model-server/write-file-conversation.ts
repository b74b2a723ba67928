import type { ModelTurn, TextTurn, ToolCallTurn } from './script';

/** Whose tool vocabulary a scripted conversation uses. */
export type ScriptedClient = 'claude-code' | 'codex' | 'gemini' | 'generic';

/** A conversation in which the agent writes one file and then reports. */
export interface WriteFileConversationOptions {
  client: ScriptedClient;
  /** Absolute for claude-code and gemini, whose write tools require it. */
  filePath: string;
  content: string;
  /** The agent's final message once the tool result comes back. */
  summary: string;
  /** Text the agent says before calling the tool. */
  preamble?: string;
  toolCallUsage?: TextTurn['usage'];
  summaryUsage?: TextTurn['usage'];
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function toolCall(client: ScriptedClient, filePath: string, content: string): Pick<ToolCallTurn, 'name' | 'input'> {
  switch (client) {
    case 'claude-code':
      return { name: 'Write', input: { file_path: filePath, content } };
    case 'codex':
      // Codex has no write tool: it writes files through shell commands.
      return { name: 'exec_command', input: { cmd: `printf '%s' ${shellQuote(content)} > ${shellQuote(filePath)}` } };
    case 'gemini':
    case 'generic':
      return { name: 'write_file', input: { file_path: filePath, content } };
  }
}

/**
 * The two turns of "write this file, then say this summary" in a client's own tool names:
 * claude `Write{file_path, content}`, codex `exec_command{cmd}`, gemini and generic
 * `write_file{file_path, content}`. Use as a rule's turns or a script's default turns.
 */
export function writeFileConversation(options: WriteFileConversationOptions): ModelTurn[] {
  const call: ToolCallTurn = {
    type: 'tool-call',
    ...toolCall(options.client, options.filePath, options.content),
    ...(options.preamble !== undefined && { text: options.preamble }),
    ...(options.toolCallUsage && { usage: options.toolCallUsage }),
  };
  const summary: TextTurn = { type: 'text', text: options.summary, ...(options.summaryUsage && { usage: options.summaryUsage }) };
  return [call, summary];
}
