import type { AgentEvent } from '../agent-adapter';
import { createClaudeCodeStream, resultTokens, toolDetail, type ClaudeCodeResultMessage } from './claude-code-stream';
import { workspacePath } from './workspace-path';

// Recorded from `claude -p --output-format stream-json --verbose` 2.1.330 against the scripted
// model server (a Write then a summary), trimmed to the fields the adapter reads.
const SESSION = '"session_id":"edf0b306-1062-48a6-b040-cfbe7ac52d16"';
const RECORDED_WRITE_RUN = [
  `{"type":"system","subtype":"init","cwd":"/workspace",${SESSION},"tools":["Bash","Edit","Read","Write"],"model":"claude-sonnet-4-5","permissionMode":"acceptEdits","claude_code_version":"2.1.330"}`,
  `{"type":"assistant","message":{"id":"msg_01QLO","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"tool_use","id":"toolu_01Vz","name":"Write","input":{"file_path":"/workspace/out.txt","content":"hello\\n"}}],"stop_reason":null,"usage":{"input_tokens":100,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}},"parent_tool_use_id":null,${SESSION}}`,
  `{"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_01Vz","type":"tool_result","content":"File created successfully at: /workspace/out.txt"}]},"parent_tool_use_id":null,${SESSION},"tool_use_result":{"type":"create","filePath":"/workspace/out.txt","content":"hello\\n"}}`,
  `{"type":"assistant","message":{"id":"msg_017q","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[{"type":"text","text":"Wrote out.txt"}],"stop_reason":null,"usage":{"input_tokens":150,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}},"parent_tool_use_id":null,${SESSION}}`,
  `{"type":"result","subtype":"success","is_error":false,"api_error_status":null,"num_turns":2,"result":"Wrote out.txt","total_cost_usd":0.0012,"usage":{"input_tokens":250,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":30},"modelUsage":{"claude-sonnet-4-5":{"inputTokens":250,"outputTokens":30,"cacheReadInputTokens":0,"cacheCreationInputTokens":0,"costUSD":0.0012}},"permission_denials":[],"terminal_reason":"completed"}`,
];

// Recorded in permission mode "default": the Write is refused and its tool result is an error.
const RECORDED_DENIED_WRITE = [
  RECORDED_WRITE_RUN[1],
  `{"type":"user","message":{"role":"user","content":[{"type":"tool_result","content":"Claude requested permissions to write to /workspace/out.txt, but you haven't granted it yet.","is_error":true,"tool_use_id":"toolu_01Vz"}]},"parent_tool_use_id":null,${SESSION}}`,
];

// Recorded for a 429: Claude Code reports the API error as a synthetic assistant message.
const RECORDED_RATE_LIMIT = `{"type":"assistant","message":{"id":"4521e24d","model":"<synthetic>","role":"assistant","type":"message","usage":{"input_tokens":0,"output_tokens":0},"content":[{"type":"text","text":"API Error: Request rejected (429) · Scripted error: HTTP 429"}]},"parent_tool_use_id":null,${SESSION},"error":"rate_limit","is_api_error_message":true,"api_error_status":429}`;

function feed(lines: string[], cwd = '/workspace', redact = (text: string) => text) {
  const events: AgentEvent[] = [];
  const stream = createClaudeCodeStream({ cwd, onEvent: (event) => events.push(event), redact });
  for (const line of lines) stream.handleLine(line);
  return { events, state: stream.state };
}

describe('createClaudeCodeStream', () => {
  it('turns a recorded write run into status, turn, tool, file, text and usage events', () => {
    const { events, state } = feed(RECORDED_WRITE_RUN);
    expect(events).toEqual([
      { type: 'status', message: 'claude 2.1.330 started · model claude-sonnet-4-5 · permission mode acceptEdits · 4 tools' },
      { type: 'turn', turn: 1 },
      { type: 'usage', inputTokens: 100, outputTokens: 1 },
      { type: 'tool', name: 'Write', detail: 'out.txt' },
      { type: 'file', path: 'out.txt' },
      { type: 'turn', turn: 2 },
      { type: 'usage', inputTokens: 250, outputTokens: 2 },
      { type: 'text', text: 'Wrote out.txt' },
      // The result's totals are exact; streamed output counts stop at message_start.
      { type: 'usage', inputTokens: 250, outputTokens: 30 },
    ]);
    expect(state).toMatchObject({
      sessionModel: 'claude-sonnet-4-5',
      assistantModel: 'claude-sonnet-4-5',
      turns: 2,
      filesWritten: ['out.txt'],
      lastText: 'Wrote out.txt',
      inputTokens: 250,
      outputTokens: 30,
      result: { subtype: 'success', num_turns: 2, total_cost_usd: 0.0012 },
    });
  });

  it('does not count a write whose tool result is an error (a permission denial)', () => {
    const { events, state } = feed(RECORDED_DENIED_WRITE);
    expect(state.filesWritten).toEqual([]);
    expect(events.filter((event) => event.type === 'file')).toEqual([]);
    expect(events).toContainEqual({ type: 'tool', name: 'Write', detail: 'out.txt' });
  });

  it('keeps the kind of an API error from the synthetic message, without counting it as a turn', () => {
    const { events, state } = feed([RECORDED_RATE_LIMIT]);
    expect(state.apiErrorKind).toBe('rate_limit');
    expect(state.turns).toBe(0);
    expect(events).toEqual([]);
  });

  it.each([
    ['several blocks of one message are one turn', ['m1', 'm1'], [null, null], 1],
    ['each new message is a turn', ['m1', 'm2', 'm3'], [null, null, null], 3],
    ['messages of a subagent are not turns of the agent', ['m1', 's1', 's2'], [null, 'toolu_task', 'toolu_task'], 1],
  ])('%s', (_name, ids, parents, turns) => {
    const lines = ids.map((id, index) =>
      JSON.stringify({
        type: 'assistant',
        parent_tool_use_id: parents[index],
        message: { id, model: 'claude-sonnet-4-5', content: [{ type: 'text', text: 'x' }], usage: { input_tokens: 10, output_tokens: 1 } },
      }),
    );
    expect(feed(lines).state.turns).toBe(turns);
  });

  it('counts files a subagent writes, once each, relative to the workspace', () => {
    const write = (id: string, path: string, parent: string | null) => [
      JSON.stringify({
        type: 'assistant',
        parent_tool_use_id: parent,
        message: { id: `m-${id}`, model: 'm', content: [{ type: 'tool_use', id, name: 'Edit', input: { file_path: path } }] },
      }),
      JSON.stringify({
        type: 'user',
        parent_tool_use_id: parent,
        message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'ok' }] },
      }),
    ];
    const { state } = feed([
      ...write('a', '/workspace/src/a.ts', null),
      ...write('b', '/workspace/src/a.ts', 'toolu_task'),
      ...write('c', '/elsewhere/b.ts', 'toolu_task'),
    ]);
    expect(state.filesWritten).toEqual(['src/a.ts', '/elsewhere/b.ts']);
  });

  it('passes text and tool details through the redactor', () => {
    const line = JSON.stringify({
      type: 'assistant',
      parent_tool_use_id: null,
      message: {
        id: 'm',
        model: 'm',
        content: [
          { type: 'text', text: 'key sk-secret-123' },
          { type: 'tool_use', id: 't', name: 'Bash', input: { command: 'echo sk-secret-123' } },
        ],
      },
    });
    const { events } = feed([line], '/workspace', (text) => text.replace('sk-secret-123', '[redacted]'));
    expect(events).toContainEqual({ type: 'text', text: 'key [redacted]' });
    expect(events).toContainEqual({ type: 'tool', name: 'Bash', detail: '`echo [redacted]`' });
  });

  it('shows a line that is not a JSON object as text and ignores unknown message types', () => {
    const { events } = feed(['warning: something', '{"type":"stream_event"}', '[1,2]', '  ']);
    expect(events).toEqual([
      { type: 'text', text: 'warning: something' },
      { type: 'text', text: '[1,2]' },
    ]);
  });

  it('reports a retry and a compaction as status', () => {
    const { events } = feed(['{"type":"system","subtype":"api_retry","attempt":2}', '{"type":"system","subtype":"compact_boundary"}']);
    expect(events.map((event) => (event as { message: string }).message)).toEqual([
      'claude is retrying an API request (attempt 2)',
      'claude compacted its conversation',
    ]);
  });
});

describe('toolDetail', () => {
  const display = (path: string) => workspacePath('/workspace', path);
  it.each([
    ['Write', { file_path: '/workspace/src/a.ts', content: 'x' }, 'src/a.ts'],
    ['Edit', { file_path: '/workspace/README.md', old_string: 'a', new_string: 'b' }, 'README.md'],
    ['NotebookEdit', { notebook_path: '/workspace/n.ipynb' }, 'n.ipynb'],
    ['Read', { file_path: '/etc/hosts' }, '/etc/hosts'],
    ['Bash', { command: 'npm test\nnpm run lint' }, '`npm test`'],
    ['Bash', { command: 'x'.repeat(100) }, `\`${'x'.repeat(79)}…\``],
    ['Grep', { pattern: 'TODO', path: '' }, 'TODO'],
    ['Glob', { pattern: 'src/**/*.ts' }, 'src/**/*.ts'],
    ['WebFetch', { url: 'https://example.com', prompt: 'read' }, 'https://example.com'],
    ['Task', { description: 'Explore the repo', prompt: 'long' }, 'Explore the repo'],
    ['TodoWrite', { todos: [] }, undefined],
  ])('%s %j -> %s', (name, input, expected) => {
    expect(toolDetail(name, input, display)).toBe(expected);
  });
});

describe('workspacePath', () => {
  it.each([
    ['/workspace', '/workspace/a/b.ts', 'a/b.ts'],
    ['/workspace', 'a/b.ts', 'a/b.ts'],
    ['/workspace', '/workspace-other/b.ts', '/workspace-other/b.ts'],
    ['/workspace', '/tmp/x', '/tmp/x'],
    ['/workspace', '/workspace', '/workspace'],
  ])('%s + %s -> %s', (cwd, path, expected) => {
    expect(workspacePath(cwd, path)).toBe(expected);
  });
});

describe('resultTokens', () => {
  it.each<[string, Partial<ClaudeCodeResultMessage>, { input: number; output: number } | undefined]>([
    [
      'sums every model, cached prompt tokens included',
      {
        modelUsage: {
          a: { inputTokens: 10, outputTokens: 5, cacheReadInputTokens: 100, cacheCreationInputTokens: 20 },
          b: { inputTokens: 1, outputTokens: 2 },
        },
      },
      { input: 131, output: 7 },
    ],
    [
      'falls back to usage',
      { usage: { input_tokens: 3, cache_read_input_tokens: 4, cache_creation_input_tokens: 5, output_tokens: 6 } },
      { input: 12, output: 6 },
    ],
    ['empty modelUsage falls back to usage', { modelUsage: {}, usage: { input_tokens: 0, output_tokens: 0 } }, { input: 0, output: 0 }],
    ['neither', {}, undefined],
  ])('%s', (_name, result, expected) => {
    expect(resultTokens({ type: 'result', subtype: 'success', ...result })).toEqual(expected);
  });
});
