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

type Item = Record<string, unknown>;

const TOOL_OUTPUT_TYPES = new Set(['function_call_output', 'custom_tool_call_output']);

function inputItems(input: unknown): Item[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return Array.isArray(input) ? input.filter(isRecord) : [];
}

function readConversation(body: Record<string, unknown>): Conversation {
  const conversation: Conversation = { system: '', userTexts: [], toolResults: [], endsWithToolResult: false };
  const items = inputItems(body.input);
  const systemTexts = [textOf(body.instructions)];
  for (const item of items) {
    const text = textOf(item.content);
    if (TOOL_OUTPUT_TYPES.has(String(item.type))) conversation.toolResults.push(textOf(item.output));
    else if (item.role === 'system' || item.role === 'developer') systemTexts.push(text);
    else if (item.role === 'user' && text !== '') conversation.userTexts.push(text);
  }
  conversation.system = systemTexts.filter((text) => text !== '').join('\n');
  conversation.endsWithToolResult = TOOL_OUTPUT_TYPES.has(String(items.at(-1)?.type));
  return conversation;
}

function usageOf(usage: TokenUsage): Record<string, unknown> {
  const inputTokens = promptTokenCount(usage);
  return {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadInputTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + usage.outputTokens,
  };
}

function outputItems(reply: ModelReply): Item[] {
  const items: Item[] = [];
  if (reply.text !== undefined && (reply.text !== '' || !reply.toolCall)) {
    const content = [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }];
    items.push({ id: randomIdentifier('msg_', 48), type: 'message', status: 'completed', role: 'assistant', content });
  }
  if (reply.toolCall) {
    items.push({
      id: randomIdentifier('fc_', 48),
      type: 'function_call',
      status: 'completed',
      arguments: JSON.stringify(reply.toolCall.input),
      call_id: randomIdentifier('call_'),
      name: reply.toolCall.name,
    });
  }
  return items;
}

function responseObject(id: string, request: ParsedModelRequest, output: Item[], usage: TokenUsage | null): Item {
  const body = request.body;
  return {
    id,
    object: 'response',
    created_at: unixSeconds(),
    status: usage ? 'completed' : 'in_progress',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: request.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    store: body.store ?? true,
    temperature: body.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: usage ? usageOf(usage) : null,
    user: null,
    metadata: {},
  };
}

/** Events of one output item, from `output_item.added` to `output_item.done`, without sequence numbers. */
function itemEvents(item: Item, outputIndex: number): Item[] {
  const base = { output_index: outputIndex, item_id: item.id };
  if (item.type === 'function_call') {
    const argumentsText = String(item.arguments);
    return [
      { type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } },
      ...splitIntoChunks(argumentsText, 24).map((delta) => ({ type: 'response.function_call_arguments.delta', ...base, delta })),
      { type: 'response.function_call_arguments.done', ...base, name: item.name, arguments: argumentsText },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  const [part] = item.content as Item[];
  const text = String(part.text);
  const partBase = { ...base, content_index: 0 };
  return [
    { type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', ...partBase, part: { ...part, text: '' } },
    ...splitIntoChunks(text).map((delta) => ({ type: 'response.output_text.delta', ...partBase, delta, logprobs: [] })),
    { type: 'response.output_text.done', ...partBase, text, logprobs: [] },
    { type: 'response.content_part.done', ...partBase, part },
    { type: 'response.output_item.done', output_index: outputIndex, item },
  ];
}

/** OpenAI Responses API: `POST /v1/responses`, JSON or typed server-sent events (what codex speaks). */
export const openAiResponsesWire: WireProtocol = {
  api: 'openai-responses',
  requestIdHeader: 'x-request-id',

  readRequest: (body) => readBodyRequest(body, 'gpt-scripted', readConversation),

  renderJson(reply, request) {
    return responseObject(randomIdentifier('resp_', 48), request, outputItems(reply), reply.usage);
  },

  renderStream(reply, request) {
    const id = randomIdentifier('resp_', 48);
    const output = outputItems(reply);
    const pending = responseObject(id, request, [], null);
    const events: Item[] = [
      { type: 'response.created', response: pending },
      { type: 'response.in_progress', response: pending },
      ...output.flatMap(itemEvents),
      { type: 'response.completed', response: responseObject(id, request, output, reply.usage) },
    ];
    return events.map((event, sequence) => `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`);
  },

  renderError: openAiErrorBody,
};
