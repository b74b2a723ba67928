import Anthropic from '@anthropic-ai/sdk';
import { type ModelServer, type ModelTurn, startModelServer, writeFileConversation } from './index';

describe('scripted model server: Anthropic Messages API through @anthropic-ai/sdk', () => {
  let server: ModelServer | undefined;
  afterEach(() => server?.close());

  async function clientFor(turns: ModelTurn[], options: { maxRetries?: number; timeout?: number } = {}): Promise<Anthropic> {
    server = await startModelServer(turns);
    return new Anthropic({ apiKey: 'sk-ant-test-key', baseURL: server.url, maxRetries: 0, ...options });
  }

  const ask = { model: 'claude-scripted-test', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Say hello' }] };

  it('answers a non-streaming create with the scripted text and usage', async () => {
    const client = await clientFor([{ type: 'text', text: 'Hello there', usage: { inputTokens: 12, outputTokens: 3, cacheReadInputTokens: 7 } }]);

    const message = await client.messages.create(ask);

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-scripted-test',
      content: [{ type: 'text', text: 'Hello there' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 12, output_tokens: 3, cache_read_input_tokens: 7, cache_creation_input_tokens: 0 },
    });
    expect(message.id).toMatch(/^msg_01/);
    const [request] = server!.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', api: 'anthropic-messages', model: 'claude-scripted-test', stream: false });
    // SDK 1.x sends an apiKey as a bearer token; Claude Code sends it as x-api-key.
    expect(request.headers.authorization).toBe('Bearer sk-ant-test-key');
    expect(request.headers['anthropic-version']).toBeDefined();
    expect(request.conversation?.userTexts).toEqual(['Say hello']);
  });

  it('streams text with .stream() and accumulates the final message', async () => {
    const text = 'A reply long enough to arrive in several text deltas.';
    const client = await clientFor([{ type: 'text', text, usage: { inputTokens: 40, outputTokens: 11 } }]);
    const deltas: string[] = [];

    const stream = client.messages.stream(ask).on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();

    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(text);
    expect(message.content).toEqual([{ type: 'text', text }]);
    expect(message.usage).toMatchObject({ input_tokens: 40, output_tokens: 11 });
    expect(server!.requests[0].stream).toBe(true);
  });

  it('streams a tool call whose input is rebuilt from input_json_delta events, then answers the tool result', async () => {
    const turns = writeFileConversation({
      client: 'claude-code',
      filePath: '/tmp/out/hello.txt',
      content: 'hi "there"\n',
      summary: 'Wrote hello.txt',
      preamble: 'Writing it.',
    });
    const client = await clientFor(turns);
    const events: string[] = [];

    const stream = client.messages.stream({ ...ask, tools: [{ name: 'Write', input_schema: { type: 'object' } }] });
    stream.on('streamEvent', (event) => events.push(event.type));
    const first = await stream.finalMessage();

    expect(first.stop_reason).toBe('tool_use');
    expect(first.content[0]).toEqual({ type: 'text', text: 'Writing it.' });
    const toolUse = first.content[1];
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'Write', input: { file_path: '/tmp/out/hello.txt', content: 'hi "there"\n' } });
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);

    const toolUseId = toolUse.type === 'tool_use' ? toolUse.id : '';
    const second = await client.messages.create({
      ...ask,
      messages: [
        ...ask.messages,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: 'File written' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Wrote hello.txt' }]);
    expect(server!.requests[1].conversation).toMatchObject({ toolResults: ['File written'], endsWithToolResult: true });
  });

  it('streams raw events with stream: true, including the tool_use start block with empty input', async () => {
    const client = await clientFor([{ type: 'tool-call', name: 'Bash', input: { command: 'ls' } }]);

    const stream = await client.messages.create({ ...ask, stream: true });
    const events = [];
    for await (const event of stream) events.push(event);

    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[1]).toMatchObject({ index: 0, content_block: { type: 'tool_use', name: 'Bash', input: {} } });
    expect(events[5]).toMatchObject({ delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 20 } });
  });

  it('accepts the ?beta=true query string that Claude Code sends', async () => {
    const client = await clientFor([{ type: 'text', text: 'beta ok' }]);

    const message = await client.messages.create(ask, { query: { beta: 'true' } });

    expect(message.content).toEqual([{ type: 'text', text: 'beta ok' }]);
    expect(server!.requests[0]).toMatchObject({ path: '/v1/messages', url: '/v1/messages?beta=true' });
  });

  it('sends a 429 with retry-after that the SDK waits out and retries', async () => {
    const client = await clientFor(
      [
        { type: 'error', status: 429, retryAfterSeconds: 1, retryAfterMilliseconds: 50 },
        { type: 'text', text: 'after the retry' },
      ],
      { maxRetries: 1 },
    );

    const message = await client.messages.create(ask);

    expect(message.content).toEqual([{ type: 'text', text: 'after the retry' }]);
    expect(server!.requests.map((request) => request.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
  });

  it('sends the error in Anthropic shape with its headers', async () => {
    const client = await clientFor([{ type: 'error', status: 429, message: 'Slow down', retryAfterSeconds: 3 }]);

    const error = await client.messages.create(ask).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } });
    expect(rateLimit.headers?.get('retry-after')).toBe('3');
    expect(rateLimit.requestID).toMatch(/^req_/);
  });

  it('fails a 401 at once with AuthenticationError and no retry', async () => {
    const client = await clientFor([{ type: 'error', status: 401, message: 'invalid x-api-key' }], { maxRetries: 2 });

    await expect(client.messages.create(ask)).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    expect(server!.requests).toHaveLength(1);
  });

  it('makes the SDK throw when the stream is cut', async () => {
    const client = await clientFor([{ type: 'text', text: 'this stream never finishes', cutAfterChunks: 3 }]);

    await expect(client.messages.stream(ask).finalMessage()).rejects.toThrow();
  });

  it('makes the SDK throw when a non-streaming body is cut', async () => {
    const client = await clientFor([{ type: 'text', text: 'half a body', cutAfterChunks: 0 }]);

    await expect(client.messages.create(ask)).rejects.toThrow();
  });

  it('lets a hang run into the client timeout', async () => {
    const client = await clientFor([{ type: 'hang' }], { timeout: 300 });

    await expect(client.messages.create(ask)).rejects.toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(server!.requests).toHaveLength(1);
  });

  it('counts tokens without using a turn', async () => {
    const client = await clientFor([{ type: 'text', text: 'still first' }]);

    const count = await client.messages.countTokens(ask);
    const message = await client.messages.create(ask);

    expect(count.input_tokens).toBeGreaterThan(0);
    expect(message.content).toEqual([{ type: 'text', text: 'still first' }]);
  });
});
