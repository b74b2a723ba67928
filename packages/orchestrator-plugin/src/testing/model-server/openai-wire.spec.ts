import OpenAI from 'openai';
import { type ModelServer, type ModelTurn, startModelServer, writeFileConversation } from './index';

describe('scripted model server: OpenAI Chat Completions and Responses through openai', () => {
  let server: ModelServer | undefined;
  afterEach(() => server?.close());

  async function clientFor(turns: ModelTurn[], options: { maxRetries?: number; timeout?: number } = {}): Promise<OpenAI> {
    server = await startModelServer(turns);
    return new OpenAI({ apiKey: 'sk-openai-test-key', baseURL: `${server.url}/v1`, maxRetries: 0, ...options });
  }

  const chat = { model: 'gpt-scripted', messages: [{ role: 'user' as const, content: 'Summarize the plan' }] };
  const tools = [{ type: 'function' as const, function: { name: 'write_file', parameters: { type: 'object' } } }];

  describe('chat completions', () => {
    it('answers a non-streaming create with text and usage', async () => {
      const client = await clientFor([{ type: 'text', text: 'The plan is fine.', usage: { inputTokens: 30, outputTokens: 6, cacheReadInputTokens: 10 } }]);

      const completion = await client.chat.completions.create(chat);

      expect(completion).toMatchObject({
        object: 'chat.completion',
        model: 'gpt-scripted',
        choices: [{ index: 0, message: { role: 'assistant', content: 'The plan is fine.' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 40, completion_tokens: 6, total_tokens: 46, prompt_tokens_details: { cached_tokens: 10 } },
      });
      expect(completion.id).toMatch(/^chatcmpl-/);
      const [request] = server!.requests;
      expect(request).toMatchObject({ path: '/v1/chat/completions', api: 'openai-chat', stream: false });
      expect(request.headers.authorization).toBe('Bearer sk-openai-test-key');
      expect(request.body).toMatchObject({ messages: [{ role: 'user', content: 'Summarize the plan' }] });
    });

    it('answers a non-streaming tool call with tool_calls', async () => {
      const client = await clientFor([{ type: 'tool-call', name: 'write_file', input: { file_path: 'a.txt', content: 'A' } }]);

      const completion = await client.chat.completions.create({ ...chat, tools });

      const [choice] = completion.choices;
      expect(choice.finish_reason).toBe('tool_calls');
      expect(choice.message.content).toBeNull();
      const [call] = choice.message.tool_calls ?? [];
      expect(call).toMatchObject({ type: 'function', function: { name: 'write_file' } });
      expect(call.id).toMatch(/^call_/);
      expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ file_path: 'a.txt', content: 'A' });
    });

    it('streams text and a tool call, then a usage chunk when stream_options.include_usage is set', async () => {
      const client = await clientFor([
        { type: 'tool-call', text: 'Let me write it.', name: 'write_file', input: { file_path: 'b.txt', content: 'a longer content string' } },
      ]);

      const stream = await client.chat.completions.create({ ...chat, tools, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let argumentsText = '';
      let name = '';
      let finishReason: string | null = null;
      let usage: OpenAI.CompletionUsage | null | undefined;
      for await (const chunk of stream) {
        const [choice] = chunk.choices;
        text += choice?.delta.content ?? '';
        for (const call of choice?.delta.tool_calls ?? []) {
          name ||= call.function?.name ?? '';
          argumentsText += call.function?.arguments ?? '';
        }
        finishReason = choice?.finish_reason ?? finishReason;
        usage = chunk.usage ?? usage;
      }

      expect(text).toBe('Let me write it.');
      expect(name).toBe('write_file');
      expect(JSON.parse(argumentsText)).toEqual({ file_path: 'b.txt', content: 'a longer content string' });
      expect(finishReason).toBe('tool_calls');
      expect(usage).toMatchObject({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 });
    });

    it('streams with the .stream() helper and answers the tool result on the next request', async () => {
      const client = await clientFor(writeFileConversation({ client: 'generic', filePath: 'c.txt', content: 'C', summary: 'Wrote c.txt' }));

      const first = await client.chat.completions.stream({ ...chat, tools }).finalChatCompletion();
      const call = first.choices[0].message.tool_calls?.[0];
      expect(call?.type === 'function' && call.function).toMatchObject({ name: 'write_file', arguments: '{"file_path":"c.txt","content":"C"}' });

      const second = await client.chat.completions.create({
        ...chat,
        messages: [...chat.messages, first.choices[0].message, { role: 'tool', tool_call_id: call?.id ?? '', content: 'ok' }],
      });
      expect(second.choices[0].message.content).toBe('Wrote c.txt');
      expect(server!.requests[1].conversation).toMatchObject({ toolResults: ['ok'], endsWithToolResult: true });
    });

    it('sends a 500 that the SDK retries, then succeeds', async () => {
      const client = await clientFor(
        [
          { type: 'error', status: 500, retryAfterMilliseconds: 10 },
          { type: 'text', text: 'recovered' },
        ],
        { maxRetries: 1 },
      );

      const completion = await client.chat.completions.create(chat);

      expect(completion.choices[0].message.content).toBe('recovered');
      expect(server!.requests).toHaveLength(2);
    });

    it('sends errors in OpenAI shape', async () => {
      const client = await clientFor([{ type: 'error', status: 429, message: 'Rate limit reached' }]);

      const error = await client.chat.completions.create(chat).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(OpenAI.RateLimitError);
      expect((error as InstanceType<typeof OpenAI.RateLimitError>).error).toEqual({
        message: 'Rate limit reached',
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      });
    });

    it('makes the SDK throw when the stream is cut', async () => {
      const client = await clientFor([{ type: 'text', text: 'cut short in the middle of things', cutAfterChunks: 2 }]);

      const consume = async (): Promise<void> => {
        for await (const _chunk of await client.chat.completions.create({ ...chat, stream: true })) {
          // drain
        }
      };
      await expect(consume()).rejects.toThrow();
    });

    it('lets a hang run into the client timeout', async () => {
      const client = await clientFor([{ type: 'hang' }], { timeout: 300 });
      const started = Date.now();

      // Plain Node gets APIConnectionTimeoutError (a subclass). Under jest, undici's AbortError comes
      // from another realm, so openai 7 fails its instanceof check and reports APIConnectionError.
      await expect(client.chat.completions.create(chat)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(server!.requests).toHaveLength(1);
    });
  });

  describe('responses', () => {
    const ask = { model: 'gpt-scripted', instructions: 'Be brief.', input: 'Write the report' };

    it('answers a non-streaming create with output_text and usage', async () => {
      const client = await clientFor([{ type: 'text', text: 'Report written.', usage: { inputTokens: 50, outputTokens: 4 } }]);

      const response = await client.responses.create(ask);

      expect(response.output_text).toBe('Report written.');
      expect(response).toMatchObject({ object: 'response', status: 'completed', usage: { input_tokens: 50, output_tokens: 4, total_tokens: 54 } });
      expect(server!.requests[0]).toMatchObject({
        path: '/v1/responses',
        api: 'openai-responses',
        conversation: { system: 'Be brief.', userTexts: ['Write the report'] },
      });
    });

    it('streams output_text deltas through response.completed', async () => {
      const text = 'A streamed report that takes several deltas.';
      const client = await clientFor([{ type: 'text', text }]);

      const stream = await client.responses.create({ ...ask, stream: true });
      const types: string[] = [];
      let streamed = '';
      let completed: OpenAI.Responses.Response | undefined;
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') streamed += event.delta;
        if (event.type === 'response.completed') completed = event.response;
      }

      expect(streamed).toBe(text);
      expect(types[0]).toBe('response.created');
      expect(types).toContain('response.output_item.added');
      expect(types.slice(-2)).toEqual(['response.output_item.done', 'response.completed']);
      expect(completed?.usage).toMatchObject({ input_tokens: 100, output_tokens: 20 });
      expect(completed?.output).toEqual([expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text })] })]);
    });

    it('streams a function call that the .stream() helper accumulates, then answers its output', async () => {
      const client = await clientFor(writeFileConversation({ client: 'codex', filePath: 'notes.txt', content: "it's done", summary: 'Created notes.txt' }));

      const first = await client.responses
        .stream({ ...ask, tools: [{ type: 'function', name: 'exec_command', parameters: {}, strict: false }] })
        .finalResponse();

      const call = first.output.find((item) => item.type === 'function_call');
      expect(call).toMatchObject({ type: 'function_call', name: 'exec_command', status: 'completed' });
      const command = call?.type === 'function_call' ? JSON.parse(call.arguments).cmd : '';
      expect(command).toBe(`printf '%s' 'it'\\''s done' > 'notes.txt'`);

      const second = await client.responses.create({
        ...ask,
        input: [
          { role: 'user', content: 'Write the report' },
          ...(call ? [call] : []),
          { type: 'function_call_output', call_id: call?.type === 'function_call' ? call.call_id : '', output: 'exit 0' },
        ],
      });
      expect(second.output_text).toBe('Created notes.txt');
      expect(server!.requests[1].conversation).toMatchObject({ toolResults: ['exit 0'], endsWithToolResult: true });
    });
  });
});
