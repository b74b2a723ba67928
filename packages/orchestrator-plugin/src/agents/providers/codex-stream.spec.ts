import type { AgentEvent } from '../agent-adapter';
import { createCodexStream, type CodexStreamState } from './codex-stream';

const CWD = '/workspace';

// Recorded from codex-cli 0.169 (`codex exec --json`) against the scripted model server.
const THREAD = '{"type":"thread.started","thread_id":"01a20c7a-d7ad-7ed0-bdea-9094e17f23c0"}';
const TURN = '{"type":"turn.started"}';
const COMMAND_STARTED =
  '{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \\"printf \'%s\' \'hello codex\' > \'out.txt\'\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}';
const COMMAND_COMPLETED =
  '{"type":"item.completed","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \\"printf \'%s\' \'hello codex\' > \'out.txt\'\\"","aggregated_output":"","exit_code":0,"status":"completed"}}';
const MESSAGE = '{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"Wrote out.txt"}}';
const USAGE =
  '{"type":"turn.completed","usage":{"input_tokens":150,"cached_input_tokens":50,"cache_write_input_tokens":0,"output_tokens":40,"reasoning_output_tokens":0}}';
const WARNING =
  '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `gpt-5-codex` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}';
const FAILED_401 = 'unexpected status 401 Unauthorized: Incorrect API key provided, url: http://127.0.0.1:38619/v1/responses, request id: req_vXvd9';

interface Case {
  name: string;
  lines: string[];
  maxTurns?: number;
  events: AgentEvent[];
  state: Partial<CodexStreamState>;
  stops?: boolean;
}

const cases: Case[] = [
  {
    name: 'a shell command that writes a file, then the final message and usage',
    lines: [THREAD, TURN, COMMAND_STARTED, COMMAND_COMPLETED, MESSAGE, USAGE],
    events: [
      { type: 'turn', turn: 1 },
      { type: 'tool', name: 'shell', detail: "printf '%s' 'hello codex' > 'out.txt'" },
      { type: 'file', path: 'out.txt' },
      { type: 'turn', turn: 2 },
      { type: 'text', text: 'Wrote out.txt' },
      { type: 'usage', inputTokens: 150, outputTokens: 40 },
    ],
    state: {
      threadId: '01a20c7a-d7ad-7ed0-bdea-9094e17f23c0',
      turns: 2,
      inputTokens: 150,
      outputTokens: 40,
      lastMessage: 'Wrote out.txt',
      claimedFiles: ['/workspace/out.txt'],
      completed: true,
    },
  },
  {
    name: 'an item error is a warning, not a failure nor a turn',
    lines: [THREAD, WARNING, TURN, MESSAGE, USAGE],
    events: [
      {
        type: 'status',
        message: 'codex warning: Model metadata for `gpt-5-codex` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.',
      },
      { type: 'turn', turn: 1 },
      { type: 'text', text: 'Wrote out.txt' },
      { type: 'usage', inputTokens: 150, outputTokens: 40 },
    ],
    state: { turns: 1, completed: true, failure: undefined },
  },
  {
    name: 'turn.failed carries the failure',
    lines: [THREAD, TURN, `{"type":"error","message":"${FAILED_401}"}`, `{"type":"turn.failed","error":{"message":"${FAILED_401}"}}`],
    events: [],
    state: { turns: 0, failure: FAILED_401, completed: false },
  },
  {
    name: 'a turn.failed without a message falls back to the last error event',
    lines: [TURN, '{"type":"error","message":"stream disconnected before completion"}', '{"type":"turn.failed","error":{}}'],
    events: [],
    state: { failure: 'stream disconnected before completion' },
  },
  {
    name: "codex's own retries are progress",
    lines: [TURN, '{"type":"error","message":"Reconnecting... 2/5 (stream disconnected before completion: failed to lookup address information)"}'],
    events: [{ type: 'status', message: 'codex: Reconnecting... 2/5 (stream disconnected before completion: failed to lookup address information)' }],
    state: { failure: undefined, connectionFailure: undefined },
  },
  {
    name: 'waiting for the network forever stops the process',
    lines: [TURN, '{"type":"error","message":"Reconnecting... waiting for network (Connection failed: error sending request)"}'],
    events: [],
    state: { connectionFailure: 'Reconnecting... waiting for network (Connection failed: error sending request)' },
    stops: true,
  },
  {
    name: 'maxTurns: the first item of turn 2 stops the process',
    lines: [TURN, COMMAND_STARTED, COMMAND_COMPLETED, MESSAGE],
    maxTurns: 1,
    events: [
      { type: 'turn', turn: 1 },
      { type: 'tool', name: 'shell', detail: "printf '%s' 'hello codex' > 'out.txt'" },
      { type: 'file', path: 'out.txt' },
    ],
    state: { turns: 1, maxTurnsExceeded: true, lastMessage: undefined },
    stops: true,
  },
  {
    name: 'file changes: added and updated files are written, deleted ones not; paths outside stay absolute',
    lines: [
      TURN,
      '{"type":"item.completed","item":{"id":"item_3","type":"file_change","changes":[{"path":"/workspace/src/a.ts","kind":"add"},{"path":"src/b.ts","kind":"update"},{"path":"/workspace/old.ts","kind":"delete"},{"path":"/elsewhere/c.ts","kind":"add"}],"status":"completed"}}',
    ],
    events: [
      { type: 'turn', turn: 1 },
      { type: 'tool', name: 'apply_patch', detail: '/workspace/src/a.ts, src/b.ts, /workspace/old.ts, /elsewhere/c.ts' },
      { type: 'file', path: 'src/a.ts' },
      { type: 'file', path: 'src/b.ts' },
      { type: 'file', path: '/elsewhere/c.ts' },
    ],
    state: { claimedFiles: ['/workspace/src/a.ts', '/workspace/src/b.ts', '/elsewhere/c.ts'] },
  },
  {
    name: 'a failed patch and a failed command write nothing',
    lines: [
      TURN,
      '{"type":"item.completed","item":{"id":"p","type":"file_change","changes":[{"path":"x.ts","kind":"add"}],"status":"failed"}}',
      '{"type":"item.completed","item":{"id":"c","type":"command_execution","command":"bash -lc \'echo hi > y.txt\'","aggregated_output":"denied","exit_code":1,"status":"failed"}}',
    ],
    events: [
      { type: 'turn', turn: 1 },
      { type: 'tool', name: 'apply_patch', detail: 'x.ts' },
      { type: 'turn', turn: 2 },
      { type: 'tool', name: 'shell', detail: 'echo hi > y.txt' },
    ],
    state: { claimedFiles: [] },
  },
  {
    name: 'MCP calls and web searches are tool events; usage adds up over turns; the last message wins',
    lines: [
      TURN,
      '{"type":"item.started","item":{"id":"m","type":"mcp_tool_call","server":"github","tool":"create_issue","status":"in_progress"}}',
      '{"type":"item.completed","item":{"id":"m","type":"mcp_tool_call","server":"github","tool":"create_issue","status":"completed"}}',
      '{"type":"item.completed","item":{"id":"w","type":"web_search","query":"nx   inferred\\ntargets"}}',
      '{"type":"item.completed","item":{"id":"a","type":"agent_message","text":"first"}}',
      '{"type":"turn.completed","usage":{"input_tokens":10,"output_tokens":1}}',
      TURN,
      '{"type":"item.completed","item":{"id":"b","type":"agent_message","text":"second"}}',
      '{"type":"turn.completed","usage":{"input_tokens":20,"output_tokens":2}}',
    ],
    events: [
      { type: 'turn', turn: 1 },
      { type: 'tool', name: 'github.create_issue' },
      { type: 'turn', turn: 2 },
      { type: 'tool', name: 'web_search', detail: 'nx inferred targets' },
      { type: 'turn', turn: 3 },
      { type: 'text', text: 'first' },
      { type: 'usage', inputTokens: 10, outputTokens: 1 },
      { type: 'turn', turn: 4 },
      { type: 'text', text: 'second' },
      { type: 'usage', inputTokens: 30, outputTokens: 3 },
    ],
    state: { turns: 4, inputTokens: 30, outputTokens: 3, lastMessage: 'second' },
  },
  {
    name: 'non-JSON lines and unknown events are ignored',
    lines: ['not json', '[1,2]', '{"type":"something.new"}', '{"type":"item.completed","item":{"id":"r","type":"reasoning","text":"thinking"}}'],
    events: [],
    state: { turns: 0 },
  },
];

describe('createCodexStream', () => {
  it.each(cases.map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    const events: AgentEvent[] = [];
    const stream = createCodexStream({ cwd: CWD, onEvent: (event) => events.push(event), maxTurns: testCase.maxTurns });
    const stops = testCase.lines.map((line) => stream.handleLine(line));
    expect(events).toEqual(testCase.events);
    const state = stream.state as unknown as Record<string, unknown>;
    expect(Object.fromEntries(Object.keys(testCase.state).map((key) => [key, state[key]]))).toEqual(testCase.state);
    expect(stops.some(Boolean)).toBe(testCase.stops ?? false);
  });

  it('redacts secrets in what it reports', () => {
    const events: AgentEvent[] = [];
    const stream = createCodexStream({ cwd: CWD, onEvent: (event) => events.push(event), redact: (text) => text.split('sk-secret').join('[redacted]') });
    stream.handleLine('{"type":"item.started","item":{"id":"c","type":"command_execution","command":"curl -H \'Authorization: sk-secret\' x"}}');
    stream.handleLine('{"type":"item.completed","item":{"id":"a","type":"agent_message","text":"key sk-secret"}}');
    expect(events).toEqual([
      { type: 'tool', name: 'shell', detail: "curl -H 'Authorization: [redacted]' x" },
      { type: 'text', text: 'key [redacted]' },
    ]);
  });
});
