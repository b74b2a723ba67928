import type { ModelReply } from './model-api-loop';

/** The parts of a Chat Completions stream chunk the loop reads (as OpenAI, Ollama, vLLM, llama.cpp send them). */
export interface OpenAiChunkLike {
  model?: string;
  choices?: ReadonlyArray<{
    delta?: {
      content?: string | null;
      tool_calls?: ReadonlyArray<{ index?: number; id?: string | null; function?: { name?: string | null; arguments?: string | null } | null }> | null;
    } | null;
    finish_reason?: string | null;
  }> | null;
  /** Only on the last chunk with `stream_options.include_usage`; gateways such as OpenRouter add `cost`. */
  usage?: { prompt_tokens?: number | null; completion_tokens?: number | null; cost?: number | null } | null;
}

/** The assistant message to send back in the conversation. */
export interface OpenAiAssistantMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
}

/** A streamed reply, read whole. */
export interface OpenAiStreamedReply extends ModelReply {
  assistantMessage: OpenAiAssistantMessage;
  /** Whether the server sent token usage at all (some local servers do not). */
  usageReported: boolean;
  /** Whether a finish_reason arrived: a stream that ends without one was cut off. */
  finished: boolean;
}

/** Collects a reply from its stream chunks: call `add` for each chunk, then `reply`. */
export interface OpenAiStreamReader {
  add(chunk: OpenAiChunkLike): void;
  reply(): OpenAiStreamedReply;
}

/**
 * Reads a Chat Completions stream: text deltas joined, tool calls assembled by index (their
 * argument text arrives in pieces; some servers send each call whole, some without an index
 * or an id), usage from the chunk that carries it. `idPrefix` names calls that came without an id.
 */
export function createOpenAiStreamReader(idPrefix = 'call'): OpenAiStreamReader {
  let text = '';
  let model: string | undefined;
  let finishReason: string | undefined;
  let usage: OpenAiChunkLike['usage'];
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  return {
    add(chunk) {
      if (chunk.model) model = chunk.model;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices ?? []) {
        if (choice.finish_reason) finishReason = choice.finish_reason;
        if (choice.delta?.content) text += choice.delta.content;
        (choice.delta?.tool_calls ?? []).forEach((delta, position) => {
          const index = delta.index ?? position;
          const call = (calls[index] ??= { name: '', arguments: '' });
          if (delta.id) call.id = delta.id;
          if (delta.function?.name) call.name += delta.function.name;
          if (delta.function?.arguments) call.arguments += delta.function.arguments;
        });
      }
    },
    reply() {
      const complete = calls.filter(Boolean).map((call, index) => ({ ...call, id: call.id ?? `${idPrefix}_${index}` }));
      const toolCalls = complete.map((call) => ({ id: call.id, name: call.name, input: parseArguments(call.arguments) }));
      const assistantMessage: OpenAiAssistantMessage = {
        role: 'assistant',
        content: text === '' ? null : text,
        ...(complete.length > 0 && {
          tool_calls: complete.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: call.arguments } })),
        }),
      };
      return {
        text,
        toolCalls,
        inputTokens: usage?.prompt_tokens ?? 0,
        outputTokens: usage?.completion_tokens ?? 0,
        ...(typeof usage?.cost === 'number' && { costUsd: usage.cost }),
        model,
        truncated: finishReason === 'length',
        assistantMessage,
        usageReported: usage !== undefined && usage !== null,
        finished: finishReason !== undefined,
      };
    },
  };
}

/** Tool arguments as JSON; blank means no arguments; invalid JSON is kept as text for the tool to reject. */
function parseArguments(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
