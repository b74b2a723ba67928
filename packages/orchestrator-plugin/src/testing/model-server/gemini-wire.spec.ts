import { type ModelServer, type ModelTurn, startModelServer, writeFileConversation } from './index';

interface GeminiChunk {
  candidates: { content: { role: string; parts: { text?: string; functionCall?: { name: string; args: unknown } }[] }; finishReason?: string }[];
  usageMetadata: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
}

/** Reads a `?alt=sse` body the way a client does: events split on blank lines, `data:` lines parsed. */
function parseServerSentEvents(body: string): GeminiChunk[] {
  return body
    .split(/\r?\n\r?\n/)
    .filter((event) => event.startsWith('data: '))
    .map((event) => JSON.parse(event.slice('data: '.length)) as GeminiChunk);
}

describe('scripted model server: Gemini generateContent through fetch', () => {
  let server: ModelServer;
  afterEach(() => server.close());

  const prompt = { contents: [{ role: 'user', parts: [{ text: 'Write the file' }] }], systemInstruction: { parts: [{ text: 'You are careful.' }] } };

  async function post(path: string, body: unknown): Promise<Response> {
    return fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': 'gemini-test-key' },
      body: JSON.stringify(body),
    });
  }

  async function start(turns: ModelTurn[]): Promise<void> {
    server = await startModelServer(turns);
  }

  it('streams text chunks with finishReason and usage on the last', async () => {
    await start([{ type: 'text', text: 'Some streamed Gemini answer text.', usage: { inputTokens: 9, outputTokens: 7 } }]);

    const response = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', prompt);
    const chunks = parseServerSentEvents(await response.text());

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => chunk.candidates[0].content.parts[0].text).join('')).toBe('Some streamed Gemini answer text.');
    expect(chunks.every((chunk) => chunk.candidates[0].content.role === 'model')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({
      candidates: [{ finishReason: 'STOP' }],
      usageMetadata: { promptTokenCount: 9, candidatesTokenCount: 7, totalTokenCount: 16 },
    });
    expect(server.requests[0]).toMatchObject({
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      api: 'gemini',
      model: 'gemini-2.5-flash',
      stream: true,
      conversation: { system: 'You are careful.', userTexts: ['Write the file'] },
    });
    expect(server.requests[0].headers['x-goog-api-key']).toBe('gemini-test-key');
  });

  it('streams a write_file functionCall, then answers the functionResponse', async () => {
    await start(writeFileConversation({ client: 'gemini', filePath: '/work/a.md', content: '# A', summary: 'Wrote a.md' }));

    const first = parseServerSentEvents(await (await post('/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse', prompt)).text());
    const call = first.flatMap((chunk) => chunk.candidates[0].content.parts).find((part) => part.functionCall)?.functionCall;
    expect(call).toEqual({ name: 'write_file', args: { file_path: '/work/a.md', content: '# A' } });

    const followUp = {
      contents: [
        ...prompt.contents,
        { role: 'model', parts: [{ functionCall: call }] },
        { role: 'user', parts: [{ functionResponse: { name: 'write_file', response: { output: 'ok' } } }] },
      ],
    };
    const second = (await (await post('/v1beta/models/gemini-2.5-pro:generateContent', followUp)).json()) as GeminiChunk;
    expect(second.candidates[0]).toMatchObject({ content: { role: 'model', parts: [{ text: 'Wrote a.md' }] }, finishReason: 'STOP' });
    expect(server.requests[1]).toMatchObject({ stream: false, conversation: { endsWithToolResult: true, userTexts: ['Write the file'] } });
  });

  it('sends errors in Gemini shape with retry headers', async () => {
    await start([{ type: 'error', status: 429, message: 'Quota exceeded', retryAfterSeconds: 2 }]);

    const response = await post('/v1beta/models/gemini-2.5-flash:generateContent', prompt);

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ error: { code: 429, message: 'Quota exceeded', status: 'RESOURCE_EXHAUSTED' } });
  });

  it('counts tokens without using a turn and 404s unknown methods in Gemini shape', async () => {
    await start([]);

    const count = await post('/v1beta/models/gemini-2.5-flash:countTokens', prompt);
    const unknown = await post('/v1beta/models/gemini-2.5-flash:embedContent', prompt);

    expect(await count.json()).toEqual({ totalTokens: expect.any(Number) });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });
});
