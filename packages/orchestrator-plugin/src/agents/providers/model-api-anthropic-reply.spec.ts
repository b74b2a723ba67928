import { anthropicWire } from '../../testing/model-server/anthropic-wire';
import { assistantBlocks, readAnthropicMessage, type AnthropicMessageLike } from './model-api-anthropic-reply';

const request = {
  model: 'claude-sonnet-4-6',
  stream: false,
  conversation: { system: '', userTexts: [], toolResults: [], endsWithToolResult: false },
  body: {},
};
const usage = { inputTokens: 12, outputTokens: 34, cacheCreationInputTokens: 100, cacheReadInputTokens: 1_000 };

describe('readAnthropicMessage', () => {
  it.each<{ name: string; message: AnthropicMessageLike; expected: object }>([
    {
      name: 'a text reply (rendered by the scripted server); input counts cache reads and writes',
      message: anthropicWire.renderJson({ text: 'Done: wrote two files.', usage }, request) as AnthropicMessageLike,
      expected: { text: 'Done: wrote two files.', toolCalls: [], inputTokens: 1_112, outputTokens: 34, model: 'claude-sonnet-4-6', truncated: false },
    },
    {
      name: 'text then a tool call',
      message: anthropicWire.renderJson(
        { text: 'Writing.', toolCall: { name: 'write_file', input: { path: 'a.txt', content: 'x' } }, usage },
        request,
      ) as AnthropicMessageLike,
      expected: { text: 'Writing.', toolCalls: [{ id: expect.stringMatching(/^toolu_/), name: 'write_file', input: { path: 'a.txt', content: 'x' } }] },
    },
    {
      name: 'several text blocks, thinking left out, a max_tokens stop',
      message: {
        stop_reason: 'max_tokens',
        content: [
          { type: 'thinking', text: 'hmm' },
          { type: 'text', text: 'Part one. ' },
          { type: 'text', text: 'Part two.' },
        ],
        usage: { input_tokens: 5, output_tokens: 8192, cache_creation_input_tokens: null, cache_read_input_tokens: null },
      },
      expected: { text: 'Part one. Part two.', inputTokens: 5, outputTokens: 8192, truncated: true },
    },
    {
      name: 'no usage at all',
      message: { content: [{ type: 'text', text: '' }], usage: null },
      expected: { text: '', toolCalls: [], inputTokens: 0, outputTokens: 0 },
    },
  ])('$name', ({ message, expected }) => {
    expect(readAnthropicMessage(message)).toMatchObject(expected);
  });
});

describe('assistantBlocks', () => {
  it('keeps text and tool calls, drops empty text and other blocks', () => {
    expect(
      assistantBlocks({
        content: [
          { type: 'thinking', text: 'x' },
          { type: 'text', text: '' },
          { type: 'text', text: 'Writing.' },
          { type: 'tool_use', id: 'toolu_1', name: 'write_file', input: { path: 'a' }, text: undefined },
        ],
      }),
    ).toEqual([
      { type: 'text', text: 'Writing.' },
      { type: 'tool_use', id: 'toolu_1', name: 'write_file', input: { path: 'a' } },
    ]);
  });
});
