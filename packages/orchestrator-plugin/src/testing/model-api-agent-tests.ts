import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError, UnsupportedFeatureError, type AgentRunRequest } from '../agents/agent-adapter';
import type { ScriptedAgentRun } from './agent-test-harness';
import type { ModelScript, RecordedRequest } from './model-server';
import { WRITE_HELLO_TASK, writeHelloScript } from './write-hello-script';

/** How one HTTP status of the provider must surface as an AgentError. */
export interface HttpErrorCase {
  status: number;
  /** The Retry-After the scripted server sends, if any. */
  retryAfterSeconds?: number;
  retryable: boolean;
  retryAfterMs?: number;
  /** Text the error message must contain. */
  text: string;
}

/** What the shared tests need to know about one model-API agent. */
export interface ModelApiAgentTestOptions {
  /**
   * Runs the agent against a fresh scripted server for `script`, in `workspace()`, on a request
   * with `WRITE_HELLO_TASK`, model `model` and `overrides`.
   */
  run(script: ModelScript, overrides?: Partial<AgentRunRequest>): Promise<ScriptedAgentRun>;
  /** The current test's workspace folder. */
  workspace(): string;
  /** The model `run` asks for unless overridden. */
  model: string;
  /** A model alias the agent resolves, and what it must send instead. */
  modelAlias?: { alias: string; model: string };
  /** The API key `run` gives the agent: no event or error may show it. */
  key: string;
  /** The tool names a request body offers, read from the provider's shape of it. */
  toolNames(body: unknown): string[];
  /** Provider-specific checks of the first request of a run: how the key travels, stream options. */
  checkFirstRequest(request: RecordedRequest): void;
  /** The HTTP errors to try, with how each must surface. */
  httpErrors: HttpErrorCase[];
}

/**
 * Registers the tests every agent that calls a model API itself (Anthropic, OpenAI) must pass:
 * the tool loop, error mapping, cut streams, abort, maxTurns, plan mode, the workspace fence
 * and the Claude Code settings it maps. The same script and assertions for each provider keep
 * the agents behaving alike; provider-only behaviour stays in each agent's spec.
 */
export function registerModelApiAgentTests(options: ModelApiAgentTestOptions): void {
  const { run, key, toolNames } = options;
  const helloFile = () => join(options.workspace(), 'apps/a/hello.txt');

  it('runs the tool loop: writes the file, streams, sums tokens over turns and reports the final text', async () => {
    const { result, error, events, requests } = await run(writeHelloScript());
    expect(error).toBeUndefined();
    expect(readFileSync(helloFile(), 'utf8')).toBe('hi there');
    expect(result).toEqual({
      summary: 'Wrote hello.txt.',
      model: options.model,
      turns: 2,
      inputTokens: 200,
      outputTokens: 40,
      filesWritten: ['apps/a/hello.txt'],
      warnings: [],
    });
    expect(events.filter((event) => event.type !== 'status')).toEqual([
      { type: 'turn', turn: 1 },
      { type: 'usage', inputTokens: 100, outputTokens: 20 },
      { type: 'text', text: 'Writing it.' },
      { type: 'tool', name: 'write_file', detail: 'apps/a/hello.txt' },
      { type: 'file', path: 'apps/a/hello.txt' },
      { type: 'turn', turn: 2 },
      { type: 'usage', inputTokens: 200, outputTokens: 40 },
      { type: 'text', text: 'Wrote hello.txt.' },
    ]);
    expect(requests).toHaveLength(2);
    const [first, second] = requests;
    expect(first.stream).toBe(true);
    expect(first.conversation?.system).toBe(WRITE_HELLO_TASK.systemPrompt);
    expect(first.conversation?.userTexts).toEqual([WRITE_HELLO_TASK.prompt]);
    expect(toolNames(first.body)).toEqual(['read_file', 'write_file', 'edit_file', 'list_files']);
    options.checkFirstRequest(first);
    expect(second.conversation?.toolResults).toEqual(['Wrote apps/a/hello.txt (8 bytes).']);
    expect(JSON.stringify(events)).not.toContain(key);
  });

  it.each(options.httpErrors)(
    'maps HTTP $status to an AgentError (retryable: $retryable) after exactly one request',
    async ({ status, retryAfterSeconds, retryable, retryAfterMs, text }) => {
      const { error, requests } = await run({ turns: [{ type: 'error', status, retryAfterSeconds, message: 'scripted failure' }] });
      expect(error).toBeInstanceOf(AgentError);
      expect(error).toMatchObject({ isRetryable: retryable, statusCode: status, retryAfterMs });
      expect(error?.message).toContain(text);
      expect(error?.message).toContain('scripted failure');
      expect(error?.message).not.toContain(key);
      // The error carries the response: its headers, and its body (where the server's explanation is).
      expect(error?.responseHeaders?.['content-type']).toMatch(/json/);
      if (retryAfterSeconds !== undefined) expect(error?.responseHeaders?.['retry-after']).toBe(String(retryAfterSeconds));
      expect(error?.responseBody).toContain('scripted failure');
      expect(requests).toHaveLength(1);
    },
  );

  it('treats a stream cut part-way as retryable', async () => {
    const { error } = await run({ turns: [{ type: 'text', text: 'a long answer that will not arrive whole', cutAfterChunks: 3 }] });
    expect(error).toMatchObject({ isRetryable: true });
    expect(error?.message).toContain('cut off');
  });

  it('stops a hung request at once on abort, as a final error', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const started = Date.now();
    const { error, requests } = await run({ turns: [{ type: 'hang' }] }, { signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('aborted');
    expect(requests).toHaveLength(1);
  });

  it('fails without retry at maxTurns, before running the last tool calls', async () => {
    const { error } = await run(writeHelloScript(), { maxTurns: 1 });
    expect(error).toMatchObject({ isRetryable: false });
    expect(error?.message).toContain('reached maxTurns (1)');
    expect(existsSync(helloFile())).toBe(false);
  });

  it('offers no write tool in plan mode and refuses a write the model attempts anyway', async () => {
    const { result, requests, events } = await run(writeHelloScript(), { permissionMode: 'plan' });
    expect(toolNames(requests[0].body)).toEqual(['read_file', 'list_files']);
    expect(requests[1].conversation?.toolResults[0]).toContain('tool "write_file" is not available');
    expect(existsSync(helloFile())).toBe(false);
    expect(result?.filesWritten).toEqual([]);
    expect(events).toContainEqual({ type: 'status', message: expect.stringContaining('write_file failed') });
  });

  it('refuses a path outside the workspace and lets the model carry on', async () => {
    const { result, requests } = await run(writeHelloScript('../escape.txt'));
    expect(requests[1].conversation?.toolResults[0]).toContain('outside the workspace');
    expect(existsSync(join(options.workspace(), '../escape.txt'))).toBe(false);
    expect(result?.summary).toBe('Wrote hello.txt.');
  });

  const alias = options.modelAlias;
  it(`maps Claude Code tool names${alias ? ' and model aliases,' : ''} and warns, typed, about tools it does not have`, async () => {
    const { requests, result } = await run(
      { turns: [{ type: 'text', text: 'ok' }] },
      { ...(alias && { model: alias.alias }), tools: ['Read', 'Write', 'Bash'] },
    );
    expect(requests[0].model).toBe(alias?.model ?? options.model);
    expect(toolNames(requests[0].body)).toEqual(['read_file', 'write_file']);
    expect(result?.warnings).toEqual([{ type: 'unsupported-setting', setting: 'tools', details: expect.stringContaining('no tool "Bash"') }]);
  });

  it.each<[string, Partial<AgentRunRequest>, RegExp]>([
    ['a tool rule it cannot enforce', { tools: ['Read', 'Write(src/**)'] }, /cannot restrict Write to "src\/\*\*"/],
    ['a permission mode it does not know', { permissionMode: 'sometimes' }, /has no permission mode "sometimes"/],
  ])('refuses %s before any request, for good', async (_name, overrides, message) => {
    const { error, requests } = await run({ turns: [{ type: 'text', text: 'must not be reached' }] }, overrides);
    expect(UnsupportedFeatureError.isInstance(error)).toBe(true);
    expect(error?.message).toMatch(message);
    expect(requests).toEqual([]);
  });
}
