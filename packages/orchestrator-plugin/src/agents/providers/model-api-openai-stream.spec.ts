import { openAiChatWire } from '../../testing/model-server/openai-chat-wire';
import { createOpenAiStreamReader, type OpenAiChunkLike } from './model-api-openai-stream';

/** The `data:` lines of a stream as JSON chunks, `[DONE]` dropped. */
function parseDataLines(lines: string[]): OpenAiChunkLike[] {
  return lines
    .map((line) => line.replace(/^data: /, '').trim())
    .filter((payload) => payload !== '[DONE]')
    .map((payload) => JSON.parse(payload) as OpenAiChunkLike);
}

function read(chunks: OpenAiChunkLike[]) {
  const reader = createOpenAiStreamReader('call_1');
  for (const chunk of chunks) reader.add(chunk);
  return reader.reply();
}

const request = (includeUsage: boolean) => ({
  model: 'gpt-4.1-mini',
  stream: true,
  conversation: { system: '', userTexts: [], toolResults: [], endsWithToolResult: false },
  body: includeUsage ? { stream_options: { include_usage: true } } : {},
});
const usage = { inputTokens: 120, outputTokens: 30, cacheCreationInputTokens: 0, cacheReadInputTokens: 80 };

describe('createOpenAiStreamReader', () => {
  it.each([
    {
      name: 'OpenAI text with usage (rendered by the scripted server)',
      chunks: parseDataLines(openAiChatWire.renderStream({ text: 'All done, the file is written.', usage }, request(true))),
      expected: {
        text: 'All done, the file is written.',
        toolCalls: [],
        inputTokens: 200,
        outputTokens: 30,
        model: 'gpt-4.1-mini',
        truncated: false,
        usageReported: true,
        finished: true,
      },
    },
    {
      name: 'OpenAI tool call with its arguments in pieces',
      chunks: parseDataLines(
        openAiChatWire.renderStream(
          { toolCall: { name: 'write_file', input: { path: 'src/a-long-file-name.ts', content: 'export const a = 1;\n' } }, usage },
          request(true),
        ),
      ),
      expected: {
        text: '',
        toolCalls: [{ id: expect.stringMatching(/^call_/), name: 'write_file', input: { path: 'src/a-long-file-name.ts', content: 'export const a = 1;\n' } }],
        inputTokens: 200,
        truncated: false,
        finished: true,
      },
    },
    {
      name: 'a server that ignores include_usage',
      chunks: parseDataLines(openAiChatWire.renderStream({ text: 'hi', usage }, request(false))),
      expected: { text: 'hi', inputTokens: 0, outputTokens: 0, usageReported: false, finished: true },
    },
    {
      name: 'Ollama: the call arrives whole, without an id, then usage',
      chunks: [
        { model: 'qwen2.5-coder:7b', choices: [{ delta: { content: '' } }] },
        { model: 'qwen2.5-coder:7b', choices: [{ delta: { tool_calls: [{ function: { name: 'read_file', arguments: '{"path":"README.md"}' } }] } }] },
        { model: 'qwen2.5-coder:7b', choices: [{ delta: {}, finish_reason: 'tool_calls' }] },
        { model: 'qwen2.5-coder:7b', choices: [], usage: { prompt_tokens: 50, completion_tokens: 12 } },
      ],
      expected: {
        toolCalls: [{ id: 'call_1_0', name: 'read_file', input: { path: 'README.md' } }],
        inputTokens: 50,
        outputTokens: 12,
        model: 'qwen2.5-coder:7b',
      },
    },
    {
      name: 'two parallel calls interleaved by index, a gateway reporting cost',
      chunks: [
        { choices: [{ delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'read_file', arguments: '{"pa' } }] } }] },
        { choices: [{ delta: { tool_calls: [{ index: 1, id: 'b', function: { name: 'list_files', arguments: '' } }] } }] },
        { choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: 'th":"x"}' } }] } }] },
        { choices: [{ delta: {}, finish_reason: 'tool_calls' }], usage: { prompt_tokens: 10, completion_tokens: 5, cost: 0.0012 } },
      ],
      expected: {
        toolCalls: [
          { id: 'a', name: 'read_file', input: { path: 'x' } },
          { id: 'b', name: 'list_files', input: {} },
        ],
        costUsd: 0.0012,
      },
    },
    {
      name: 'invalid argument JSON is kept as text (the tool rejects it), a length stop marks truncation',
      chunks: [
        {
          choices: [
            {
              delta: { tool_calls: [{ index: 0, id: 'c', function: { name: 'write_file', arguments: '{"path":"a","content":"unfinish' } }] },
              finish_reason: 'length',
            },
          ],
        },
      ],
      expected: { toolCalls: [{ id: 'c', name: 'write_file', input: '{"path":"a","content":"unfinish' }], truncated: true, finished: true },
    },
    {
      name: 'a stream that stops before any finish_reason',
      chunks: [{ choices: [{ delta: { content: 'Half an ans' } }] }],
      expected: { text: 'Half an ans', finished: false, usageReported: false },
    },
  ])('$name', ({ chunks, expected }) => {
    expect(read(chunks)).toMatchObject(expected);
  });

  it('builds the assistant message to send back, arguments as received', () => {
    const reply = read([
      { choices: [{ delta: { content: 'Reading.' } }] },
      {
        choices: [{ delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'read_file', arguments: '{"path":"x"}' } }] }, finish_reason: 'tool_calls' }],
      },
    ]);
    expect(reply.assistantMessage).toEqual({
      role: 'assistant',
      content: 'Reading.',
      tool_calls: [{ id: 'a', type: 'function', function: { name: 'read_file', arguments: '{"path":"x"}' } }],
    });
    expect(read([{ choices: [{ delta: { content: 'ok' }, finish_reason: 'stop' }] }]).assistantMessage).toEqual({ role: 'assistant', content: 'ok' });
  });
});
