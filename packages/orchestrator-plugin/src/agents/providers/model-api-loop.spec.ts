import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, type AgentEvent, type AgentRunRequest } from '../agent-adapter';
import { runModelApiLoop, type ModelConversation, type ModelReply } from './model-api-loop';
import { resolveModelApiSettings } from './model-api-settings';
import type { ToolCall, ToolOutcome } from './model-api-tools';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'model-api-loop-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

const reply = (fields: Partial<ModelReply>): ModelReply => ({ text: '', toolCalls: [], inputTokens: 10, outputTokens: 2, truncated: false, ...fields });
const write = (path: string, content = 'x'): ToolCall => ({ id: `c-${path}`, name: 'write_file', input: { path, content } });

/** A conversation that answers from a list and records the tool results it was given. */
function scripted(replies: ModelReply[]) {
  const results: Array<Array<{ call: ToolCall; outcome: ToolOutcome }>> = [];
  const conversation: ModelConversation = {
    send: async () => {
      const next = replies.shift();
      if (!next) throw new Error('no more replies');
      return next;
    },
    addToolResults: (given) => results.push([...given]),
  };
  return { conversation, results };
}

async function loop(replies: ModelReply[], overrides: Partial<AgentRunRequest> = {}) {
  const events: AgentEvent[] = [];
  const request: AgentRunRequest = {
    taskId: 't',
    prompt: 'p',
    cwd: root,
    workspaceRoot: root,
    projectRoot: '.',
    attempt: 1,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    ...overrides,
  };
  const { conversation, results } = scripted(replies);
  const outcome = await runModelApiLoop(request, {
    conversation,
    settings: resolveModelApiSettings(request, 'test'),
    model: 'asked-model',
    toAgentError: (error) => (error instanceof AgentError ? error : new AgentError(`mapped: ${(error as Error).message}`, { isRetryable: true })),
  }).then(
    (result) => ({ result, error: undefined }),
    (error: AgentError) => ({ result: undefined, error }),
  );
  return { ...outcome, events, results };
}

describe('runModelApiLoop', () => {
  it('sums tokens and cost over turns, lists each written file once, and ends on the first reply without tools', async () => {
    const { result } = await loop([
      reply({ toolCalls: [write('a.txt'), write('b.txt')], costUsd: 0.5 }),
      reply({ toolCalls: [write('a.txt', 'again')], model: 'served-model' }),
      reply({ text: '  Finished.  ', costUsd: 0.25 }),
    ]);
    expect(result).toEqual({
      summary: 'Finished.',
      model: 'served-model',
      turns: 3,
      inputTokens: 30,
      outputTokens: 6,
      costUsd: 0.75,
      filesWritten: ['a.txt', 'b.txt'],
    });
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('again');
  });

  it.each([
    { name: 'the final text', replies: [reply({ text: 'Final.' })], summary: 'Final.' },
    {
      name: 'the last text said when the final reply is empty',
      replies: [reply({ text: 'Writing now.', toolCalls: [write('a.txt')] }), reply({})],
      summary: 'Writing now.',
    },
    {
      name: 'a note when the model said nothing',
      replies: [reply({ toolCalls: [write('a.txt')] }), reply({})],
      summary: 'The model finished after 2 turns without a final message.',
    },
  ])('summary: $name', async ({ replies, summary }) => {
    expect((await loop(replies)).result?.summary).toBe(summary);
  });

  it('leaves cost undefined when no reply reports one', async () => {
    expect((await loop([reply({ text: 'ok' })])).result).not.toHaveProperty('costUsd');
  });

  it('fails without retry at maxTurns and runs no tool of the last turn', async () => {
    const { error, results } = await loop([reply({ toolCalls: [write('a.txt')] }), reply({ toolCalls: [write('b.txt')] })], { maxTurns: 2 });
    expect(error).toMatchObject({
      isRetryable: false,
      message: expect.stringContaining('reached maxTurns (2) while the model still wanted tools (write_file)'),
    });
    expect(results).toHaveLength(1);
  });

  it('does not run tool calls of a reply cut at the output limit, and tells the model why', async () => {
    const { result, results } = await loop([reply({ toolCalls: [write('a.txt')], truncated: true }), reply({ text: 'ok' })]);
    expect(results[0][0].outcome).toMatchObject({ isError: true, content: expect.stringContaining('output token limit') });
    expect(result?.filesWritten).toEqual([]);
  });

  it('maps a failed model call through toAgentError', async () => {
    const { error } = await loop([]);
    expect(error).toMatchObject({ isRetryable: true, message: 'mapped: no more replies' });
  });

  it('emits turn, usage, text, tool and file events in order', async () => {
    const { events } = await loop([reply({ text: 'Writing.', toolCalls: [write('dir/a.txt')] }), reply({ text: 'Done.' })]);
    expect(events).toEqual([
      { type: 'turn', turn: 1 },
      { type: 'usage', inputTokens: 10, outputTokens: 2 },
      { type: 'text', text: 'Writing.' },
      { type: 'tool', name: 'write_file', detail: 'dir/a.txt' },
      { type: 'file', path: 'dir/a.txt' },
      { type: 'turn', turn: 2 },
      { type: 'usage', inputTokens: 20, outputTokens: 4 },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it('stops at its token budget while the model still wants tools, with the turns paid for; a final answer at the limit stands', async () => {
    const wantsMore = () => reply({ toolCalls: [write('a.txt')], inputTokens: 100, outputTokens: 20 });
    const stopped = await loop([wantsMore(), wantsMore(), wantsMore(), reply({ text: 'Done.' })], { budget: { maxTokens: 200 } });
    expect(stopped.error).toMatchObject({ isRetryable: false, usage: { inputTokens: 200, outputTokens: 40 } });
    expect(stopped.error?.message).toBe(
      "stopped after 2 turns at its budget: 240 tokens used, its maxTokens allow 200; raise the task's limit or narrow the task",
    );
    const finished = await loop([wantsMore(), reply({ text: 'Done.', inputTokens: 100, outputTokens: 20 })], { budget: { maxTokens: 200 } });
    expect(finished.result).toMatchObject({ summary: 'Done.', inputTokens: 200 });
  });

  it('stops at its cost budget, priced by the server where it says and by the price table otherwise', async () => {
    const priced = await loop([reply({ toolCalls: [write('a.txt')], costUsd: 0.3 }), reply({ text: 'Done.' })], { budget: { maxCostUsd: 0.25 } });
    expect(priced.error?.message).toMatch(/^stopped after 1 turn at its budget: \$0\.3000 spent, its maxCost allows \$0\.2500/);
    // asked-model has no price: an unknown cost stops nothing (the tokens and the after-the-fact check still apply).
    const unpriced = await loop([reply({ toolCalls: [write('a.txt')], inputTokens: 1_000_000 }), reply({ text: 'Done.' })], { budget: { maxCostUsd: 0.25 } });
    expect(unpriced.result?.summary).toBe('Done.');
    const table = await loop([reply({ toolCalls: [write('a.txt')], inputTokens: 1_000_000, model: 'claude-sonnet-4-5' }), reply({ text: 'Done.' })], {
      budget: { maxCostUsd: 0.25 },
    });
    expect(table.error?.message).toMatch(/at its budget: \$3\.0000 spent/);
  });

  it("waits before every model request for the provider's shared pause", async () => {
    const order: string[] = [];
    const { result } = await loop([reply({ toolCalls: [write('a.txt')] }), reply({ text: 'Done.' })], {
      beforeModelRequest: async () => void order.push('cleared'),
      onEvent: (event) => void (event.type === 'turn' && order.push(`turn ${event.turn}`)),
    });
    expect(result?.summary).toBe('Done.');
    expect(order).toEqual(['turn 1', 'cleared', 'turn 2', 'cleared']);
  });
});
