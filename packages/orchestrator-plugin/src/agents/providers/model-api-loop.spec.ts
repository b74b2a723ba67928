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
});
