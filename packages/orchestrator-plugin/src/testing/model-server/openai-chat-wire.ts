import { openAiErrorBody } from './openai-errors';
import {
  type Conversation,
  type ModelReply,
  type ParsedModelRequest,
  type TokenUsage,
  type WireProtocol,
  isRecord,
  promptTokenCount,
  randomIdentifier,
  readBodyRequest,
  splitIntoChunks,
  textOf,
  unixSeconds,
} from './wire-protocol';

function readConversation(body: Record<string, unknown>): Conversation {
  const conversation: Conversation = { system: '', userTexts: [], toolResults: [], endsWithToolResult: false };
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  const systemTexts: string[] = [];
  for (const message of messages) {
    const text = textOf(message.content);
    if (message.role === 'system' || message.role === 'developer') systemTexts.push(text);
    if (message.role === 'user' && text !== '') conversation.userTexts.push(text);
    if (message.role === 'tool') conversation.toolResults.push(text);
  }
  conversation.system = systemTexts.join('\n');
  conversation.endsWithToolResult = messages.at(-1)?.role === 'tool';
  return conversation;
}

function usageOf(usage: TokenUsage): Record<string, unknown> {
  const promptTokens = promptTokenCount(usage);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: promptTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadInputTokens, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function envelope(id: string, object: string, request: ParsedModelRequest): Record<string, unknown> {
  return { id, object, created: unixSeconds(), model: request.model, service_tier: 'default', system_fingerprint: 'fp_scripted' };
}

function finishReason(reply: ModelReply): string {
  return reply.toolCall ? 'tool_calls' : 'stop';
}

function data(payload: unknown): string {
  return `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`;
}

/** OpenAI Chat Completions: `POST /v1/chat/completions`, JSON or `data:` chunks ending in `[DONE]`. */
export const openAiChatWire: WireProtocol = {
  api: 'openai-chat',
  requestIdHeader: 'x-request-id',

  readRequest: (body) => readBodyRequest(body, 'gpt-scripted', readConversation),

  renderJson(reply, request) {
    const call = reply.toolCall && { name: reply.toolCall.name, arguments: JSON.stringify(reply.toolCall.input) };
    const message = {
      role: 'assistant',
      content: reply.text ?? null,
      refusal: null,
      annotations: [],
      ...(call && { tool_calls: [{ id: randomIdentifier('call_'), type: 'function', function: call }] }),
    };
    return {
      ...envelope(randomIdentifier('chatcmpl-', 29), 'chat.completion', request),
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(reply) }],
      usage: usageOf(reply.usage),
    };
  },

  renderStream(reply, request) {
    const head = envelope(randomIdentifier('chatcmpl-', 29), 'chat.completion.chunk', request);
    const streamOptions = request.body.stream_options;
    const includeUsage = isRecord(streamOptions) && streamOptions.include_usage === true;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
      data({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage && { usage: null }) });

    const chunks = [chunk({ role: 'assistant', content: reply.toolCall && !reply.text ? null : '', refusal: null })];
    for (const piece of splitIntoChunks(reply.text ?? '')) chunks.push(chunk({ content: piece }));
    if (reply.toolCall) {
      const call = { index: 0, id: randomIdentifier('call_'), type: 'function', function: { name: reply.toolCall.name, arguments: '' } };
      chunks.push(chunk({ tool_calls: [call] }));
      for (const piece of splitIntoChunks(JSON.stringify(reply.toolCall.input), 24)) {
        chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
      }
    }
    chunks.push(chunk({}, finishReason(reply)));
    if (includeUsage) chunks.push(data({ ...head, choices: [], usage: usageOf(reply.usage) }));
    chunks.push(data('[DONE]'));
    return chunks;
  },

  renderError: openAiErrorBody,
};
