import {
  type Conversation,
  type ErrorReply,
  type ModelReply,
  type ParsedModelRequest,
  type TokenUsage,
  type WireProtocol,
  isRecord,
  randomIdentifier,
  readBodyRequest,
  splitIntoChunks,
  textOf,
} from './wire-protocol';

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

function readConversation(body: Record<string, unknown>): Conversation {
  const conversation: Conversation = { system: textOf(body.system), userTexts: [], toolResults: [], endsWithToolResult: false };
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  for (const message of messages) {
    // Claude Code may put role "system" entries into the messages array.
    if (message.role === 'system') conversation.system = [conversation.system, textOf(message.content)].filter(Boolean).join('\n');
    if (message.role !== 'user') continue;
    const blocks = Array.isArray(message.content) ? message.content.filter(isRecord) : [{ type: 'text', text: message.content }];
    const text = textOf(blocks.filter((block) => block.type === 'text'));
    if (text !== '') conversation.userTexts.push(text);
    for (const block of blocks) if (block.type === 'tool_result') conversation.toolResults.push(textOf(block.content));
  }
  const last = messages.at(-1);
  conversation.endsWithToolResult =
    last?.role === 'user' && Array.isArray(last.content) && last.content.some((block) => isRecord(block) && block.type === 'tool_result');
  return conversation;
}

function usageOf(usage: TokenUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    cache_creation_input_tokens: usage.cacheCreationInputTokens,
    cache_read_input_tokens: usage.cacheReadInputTokens,
    cache_creation: { ephemeral_5m_input_tokens: usage.cacheCreationInputTokens, ephemeral_1h_input_tokens: 0 },
    output_tokens: usage.outputTokens,
    service_tier: 'standard',
  };
}

function contentBlocks(reply: ModelReply): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (reply.text !== undefined && reply.text !== '') blocks.push({ type: 'text', text: reply.text });
  if (reply.toolCall) {
    blocks.push({ type: 'tool_use', id: randomIdentifier('toolu_01'), name: reply.toolCall.name, input: reply.toolCall.input });
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: '' });
  return blocks;
}

function message(request: ParsedModelRequest, content: unknown[], usage: unknown): Record<string, unknown> {
  return {
    id: randomIdentifier('msg_01'),
    type: 'message',
    role: 'assistant',
    model: request.model,
    content,
    stop_reason: null,
    stop_sequence: null,
    usage,
  };
}

function stopReason(reply: ModelReply): string {
  return reply.toolCall ? 'tool_use' : 'end_turn';
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function blockEvents(block: Record<string, unknown>, index: number): string[] {
  if (block.type === 'tool_use') {
    const json = JSON.stringify(block.input);
    return [
      event('content_block_start', { index, content_block: { ...block, input: {} } }),
      // The real API opens every tool input with an empty partial.
      ...['', ...splitIntoChunks(json, 24)].map((partial_json) => event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } })),
      event('content_block_stop', { index }),
    ];
  }
  const text = String(block.text);
  return [
    event('content_block_start', { index, content_block: { type: 'text', text: '' } }),
    ...splitIntoChunks(text).map((piece) => event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } })),
    event('content_block_stop', { index }),
  ];
}

function errorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** The Anthropic Messages API: `POST /v1/messages`, JSON or server-sent events. */
export const anthropicWire: WireProtocol = {
  api: 'anthropic-messages',
  requestIdHeader: 'request-id',

  readRequest: (body) => readBodyRequest(body, 'claude-scripted', readConversation),

  renderJson(reply, request) {
    return { ...message(request, contentBlocks(reply), usageOf(reply.usage)), stop_reason: stopReason(reply) };
  },

  renderStream(reply, request) {
    const startUsage = usageOf({ ...reply.usage, outputTokens: 1 });
    const events = [event('message_start', { message: message(request, [], startUsage) }), event('ping', {})];
    contentBlocks(reply).forEach((block, index) => events.push(...blockEvents(block, index)));
    const finalUsage = {
      input_tokens: reply.usage.inputTokens,
      cache_creation_input_tokens: reply.usage.cacheCreationInputTokens,
      cache_read_input_tokens: reply.usage.cacheReadInputTokens,
      output_tokens: reply.usage.outputTokens,
    };
    events.push(event('message_delta', { delta: { stop_reason: stopReason(reply), stop_sequence: null }, usage: finalUsage }), event('message_stop', {}));
    return events;
  },

  renderError(error: ErrorReply) {
    return {
      type: 'error',
      error: { type: error.errorType ?? errorType(error.status), message: error.message },
      request_id: randomIdentifier('req_011'),
    };
  },
};
