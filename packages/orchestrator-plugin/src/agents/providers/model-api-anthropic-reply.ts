import type { ModelReply } from './model-api-loop';

/** The parts of an Anthropic `Message` the loop reads (the SDK's type, narrowed to what matters). */
export interface AnthropicMessageLike {
  model?: string;
  stop_reason?: string | null;
  content: ReadonlyArray<{ type: string; text?: string; id?: string; name?: string; input?: unknown }>;
  usage?: {
    input_tokens?: number | null;
    output_tokens?: number | null;
    cache_creation_input_tokens?: number | null;
    cache_read_input_tokens?: number | null;
  } | null;
}

/** The content blocks the conversation sends back as the assistant's turn (text and tool calls). */
export type AnthropicAssistantBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

/**
 * Reads a finished Anthropic message: its text, its tool calls, and its tokens, where the
 * input counts every prompt token (`input_tokens` excludes the cache reads and writes).
 */
export function readAnthropicMessage(message: AnthropicMessageLike): ModelReply {
  const usage = message.usage ?? {};
  const text = message.content
    .filter((block) => block.type === 'text')
    .map((block) => block.text ?? '')
    .join('');
  const toolCalls = message.content
    .filter((block) => block.type === 'tool_use')
    .map((block) => ({ id: String(block.id), name: String(block.name), input: block.input ?? {} }));
  return {
    text,
    toolCalls,
    inputTokens: (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0),
    outputTokens: usage.output_tokens ?? 0,
    model: message.model,
    truncated: message.stop_reason === 'max_tokens',
  };
}

/**
 * The assistant turn to send back: text and tool calls only (empty text blocks are refused
 * by the API; thinking is never requested, so there is none to keep).
 */
export function assistantBlocks(message: AnthropicMessageLike): AnthropicAssistantBlock[] {
  const blocks: AnthropicAssistantBlock[] = [];
  for (const block of message.content) {
    if (block.type === 'text' && block.text) blocks.push({ type: 'text', text: block.text });
    if (block.type === 'tool_use') blocks.push({ type: 'tool_use', id: String(block.id), name: String(block.name), input: block.input ?? {} });
  }
  return blocks;
}
