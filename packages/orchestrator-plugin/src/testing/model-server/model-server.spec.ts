import { gzipSync } from 'node:zlib';
import { type ModelScript, type ModelServer, startModelServer } from './index';

describe('startModelServer', () => {
  let server: ModelServer;
  afterEach(() => server.close());

  function anthropicRequest(prompt: string, extra: Record<string, unknown> = {}): RequestInit {
    return {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'secret-key' },
      body: JSON.stringify({ model: 'claude-scripted', max_tokens: 100, messages: [{ role: 'user', content: prompt }], ...extra }),
    };
  }

  async function ask(prompt: string): Promise<string> {
    const response = await fetch(`${server.url}/v1/messages`, anthropicRequest(prompt));
    const message = (await response.json()) as { content: { text?: string }[] };
    return message.content.map((block) => block.text ?? '').join('');
  }

  it('listens on 127.0.0.1 at a random port', async () => {
    server = await startModelServer();

    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('answers health checks and 404s other paths with a JSON error, /v1/models included', async () => {
    server = await startModelServer();

    const health = await fetch(`${server.url}/`);
    const head = await fetch(`${server.url}/v1/messages`, { method: 'HEAD' });
    const models = await fetch(`${server.url}/v1/models`);
    const unknown = await fetch(`${server.url}/v2/whatever`, { method: 'POST', body: '{}' });

    expect([health.status, head.status, models.status, unknown.status]).toEqual([200, 200, 404, 404]);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await models.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error', message: expect.stringContaining('/v1/models') } });
    expect(server.requests.map((request) => request.route)).toEqual(['health', 'health', 'not-found', 'not-found']);
  });

  it('rejects a body that is not JSON with a 400 in the provider shape', async () => {
    server = await startModelServer();

    const response = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: 'not json' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('serves turns in order, then the default text', async () => {
    server = await startModelServer({
      turns: [
        { type: 'text', text: 'one' },
        { type: 'text', text: 'two' },
      ],
      defaultText: 'nothing left',
    });

    expect([await ask('a'), await ask('b'), await ask('c')]).toEqual(['one', 'two', 'nothing left']);
    expect(server.requests.map((request) => request.turn)).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
      { type: 'text', text: 'nothing left' },
    ]);
  });

  it('answers from the first matching rule, keeps a rule on its conversation after a tool result, and falls back to the default queue', async () => {
    const script: ModelScript = {
      rules: [
        { when: { userTextIncludes: 'task ALPHA', afterToolResult: true }, turns: [{ type: 'text', text: 'alpha finished' }] },
        { when: { userTextIncludes: 'task ALPHA' }, turns: [{ type: 'tool-call', name: 'Write', input: { file_path: '/a', content: 'a' } }] },
        { when: { lastUserTextIncludes: 'BETA' }, turns: [{ type: 'text', text: 'beta answer' }] },
      ],
      turns: [{ type: 'text', text: 'default queue' }],
      defaultText: 'exhausted',
    };
    server = await startModelServer(script);

    expect(await ask('please run task ALPHA')).toBe('');
    const toolResult = {
      messages: [
        { role: 'user', content: 'please run task ALPHA' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Write', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'written' }] },
      ],
    };
    const followUp = await fetch(`${server.url}/v1/messages`, anthropicRequest('', toolResult));
    expect(await followUp.json()).toMatchObject({ content: [{ type: 'text', text: 'alpha finished' }] });
    expect(await ask('now BETA')).toBe('beta answer');
    expect(await ask('now BETA again')).toBe('exhausted');
    expect(await ask('something else')).toBe('default queue');
    expect(server.requests[0].turn).toMatchObject({ type: 'tool-call', name: 'Write' });
  });

  it('records method, url, headers with secrets as sent, the parsed body and the conversation, gzip bodies included', async () => {
    server = await startModelServer([{ type: 'text', text: 'ok' }]);

    const body = JSON.stringify({
      model: 'gpt-scripted',
      messages: [
        { role: 'system', content: 'Rules' },
        { role: 'user', content: 'compressed prompt' },
      ],
    });
    await fetch(`${server.url}/v1/chat/completions?trace=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: 'Bearer sk-secret' },
      body: gzipSync(body),
    });

    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      url: '/v1/chat/completions?trace=1',
      headers: expect.objectContaining({ authorization: 'Bearer sk-secret' }),
      body: JSON.parse(body),
      rawBody: body,
      route: 'generate',
      api: 'openai-chat',
      model: 'gpt-scripted',
      stream: false,
      conversation: { system: 'Rules', userTexts: ['compressed prompt'], toolResults: [], endsWithToolResult: false },
    });
  });

  it('slows a stream by the chunk delay', async () => {
    server = await startModelServer([{ type: 'text', text: 'slow', chunkDelayMilliseconds: 40 }]);
    const started = Date.now();

    const response = await fetch(`${server.url}/v1/messages`, anthropicRequest('go', { stream: true }));
    const body = await response.text();

    // message_start, ping, block start, one delta, block stop, message_delta, message_stop: 7 pauses.
    expect(Date.now() - started).toBeGreaterThanOrEqual(7 * 40 - 20);
    expect(body).toContain('event: message_stop');
  });

  it('cuts a stream after the given number of events', async () => {
    server = await startModelServer([{ type: 'text', text: 'cut', cutAfterChunks: 1 }]);
    const received: string[] = [];

    const response = await fetch(`${server.url}/v1/messages`, anthropicRequest('go', { stream: true }));
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) received.push(decoder.decode(chunk));
    })();

    await expect(reading).rejects.toThrow();
    expect(received.join('')).toMatch(/^event: message_start\n/);
    expect(received.join('')).not.toContain('ping');
  });

  it('closes hung requests and open sockets on close()', async () => {
    server = await startModelServer([{ type: 'hang' }]);

    const pending = fetch(`${server.url}/v1/responses`, { method: 'POST', body: JSON.stringify({ model: 'gpt', input: 'hello' }) });
    while (server.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.close();

    await expect(pending).rejects.toThrow();
    expect(server.requests[0]).toMatchObject({ api: 'openai-responses', turn: { type: 'hang' } });
  });

  it('logs its own concurrency: when each model request came and was answered, and how many were being answered', async () => {
    const slow = { type: 'text' as const, text: 'slow', chunkDelayMilliseconds: 150 };
    server = await startModelServer([slow, slow, slow]);

    await Promise.all([ask('a'), ask('b'), ask('c')]);
    await ask('d');

    expect(server.mostConcurrent).toBe(3);
    expect(server.requests.map((request) => request.concurrentAtArrival)).toEqual([1, 2, 3, 1]);
    for (const request of server.requests) expect(request.answeredAt).toBeGreaterThanOrEqual(request.receivedAt);
  });

  it("serves each key's first turns before anything else: a 429 storm on every task's first two requests", async () => {
    server = await startModelServer({
      firstTurnsPerKey: {
        key: (request) => /task (\w+)/.exec(request.conversation?.userTexts[0] ?? '')?.[1],
        turns: [
          { type: 'error', status: 429, retryAfterSeconds: 1 },
          { type: 'error', status: 429, retryAfterSeconds: 1 },
        ],
      },
      defaultText: 'done',
    });

    const statuses = [];
    for (const prompt of ['task a', 'task b', 'task a', 'task a', 'task b', 'untagged']) {
      const response = await fetch(`${server.url}/v1/messages`, anthropicRequest(prompt));
      statuses.push(`${prompt}: ${response.status}${response.headers.get('retry-after') ? ` retry-after ${response.headers.get('retry-after')}` : ''}`);
    }

    expect(statuses).toEqual([
      'task a: 429 retry-after 1',
      'task b: 429 retry-after 1',
      'task a: 429 retry-after 1',
      'task a: 200',
      'task b: 429 retry-after 1',
      'untagged: 200',
    ]);
  });
});
