import type { AgentEvent } from '../agent-adapter';
import { createGeminiStream, geminiToolDetail, mainModel, streamTokens, type GeminiStreamStats } from './gemini-stream';

// Recorded from `gemini -p "" -o stream-json --skip-trust --approval-mode auto_edit -m gemini-2.5-flash`
// 0.61.0 against the scripted model server: text and an edit, a write the CLI refuses (outside
// the workspace), then the final answer. Timestamps trimmed.
const RECORDED_EDIT_RUN = [
  '{"type":"init","session_id":"6dd56efa-538e-42e3-a561-0fc21e8ab5c2","model":"gemini-2.5-flash"}',
  '{"type":"message","role":"user","content":"edit it"}',
  '{"type":"message","role":"assistant","content":"Editing the file","delta":true}',
  '{"type":"message","role":"assistant","content":".","delta":true}',
  '{"type":"tool_use","tool_name":"replace","tool_id":"replace__replace_1795507525872_0","parameters":{"file_path":"/workspace/edit.txt","old_string":"old line","new_string":"new line","instruction":"replace"}}',
  '{"type":"tool_result","tool_id":"replace__replace_1795507525872_0","status":"success"}',
  '{"type":"tool_use","tool_name":"write_file","tool_id":"write_file__write_file_1795507526239_0","parameters":{"file_path":"/etc/forbidden/x.txt","content":"x"}}',
  '{"type":"tool_result","tool_id":"write_file__write_file_1795507526239_0","status":"error","output":"Path not in workspace","error":{"type":"invalid_tool_params","message":"Path not in workspace: Attempted path \\"/etc/forbidden/x.txt\\" resolves outside the allowed workspace directories"}}',
  '{"type":"message","role":"assistant","content":"Edited edit.txt;","delta":true}',
  '{"type":"message","role":"assistant","content":" could not write x.","delta":true}',
  '{"type":"result","status":"success","stats":{"total_tokens":1962,"input_tokens":1900,"output_tokens":62,"cached":100,"input":1800,"duration_ms":628,"tool_calls":2,"models":{"gemini-2.5-flash":{"total_tokens":1962,"input_tokens":1900,"output_tokens":62,"cached":100,"input":1800}}}}',
];

// Recorded with settings model.maxSessionTurns 3 and a model that keeps writing files.
const RECORDED_TURN_LIMIT = [
  '{"type":"init","session_id":"1cec2f79","model":"gemini-2.5-flash"}',
  '{"type":"tool_use","tool_name":"write_file","tool_id":"w0","parameters":{"file_path":"/workspace/out/f0.txt","content":"x"}}',
  '{"type":"tool_result","tool_id":"w0","status":"success"}',
  '{"type":"tool_use","tool_name":"write_file","tool_id":"w1","parameters":{"file_path":"/workspace/out/f0.txt","content":"y"}}',
  '{"type":"tool_result","tool_id":"w1","status":"success"}',
  '{"type":"result","status":"error","error":{"type":"FatalTurnLimitedError","message":"Reached max session turns for this session. Increase the number of turns by specifying maxSessionTurns in settings.json."},"stats":{"total_tokens":360,"input_tokens":300,"output_tokens":60,"cached":0,"input":300,"duration_ms":0,"tool_calls":2,"models":{"gemini-2.5-flash":{"total_tokens":360,"input_tokens":300,"output_tokens":60,"cached":0,"input":300}}}}',
];

function feed(lines: string[], redact = (text: string) => text) {
  const events: AgentEvent[] = [];
  const stream = createGeminiStream({ cwd: '/workspace', onEvent: (event) => events.push(event), redact });
  for (const line of lines) stream.handleLine(line);
  return { events, state: stream.state };
}

describe('createGeminiStream', () => {
  it('turns a recorded run into status, turn, text, tool, file and usage events', () => {
    const { events, state } = feed(RECORDED_EDIT_RUN);
    expect(events).toEqual([
      { type: 'status', message: 'gemini started · model gemini-2.5-flash' },
      { type: 'turn', turn: 1 },
      { type: 'text', text: 'Editing the file.' },
      { type: 'tool', name: 'replace', detail: 'edit.txt' },
      { type: 'file', path: 'edit.txt' },
      { type: 'turn', turn: 2 },
      { type: 'tool', name: 'write_file', detail: '/etc/forbidden/x.txt' },
      {
        type: 'status',
        message: 'gemini tool call failed: Path not in workspace: Attempted path "/etc/forbidden/x.txt" resolves outside the allowed workspace directories',
      },
      { type: 'turn', turn: 3 },
      { type: 'text', text: 'Edited edit.txt; could not write x.' },
      { type: 'usage', inputTokens: 1900, outputTokens: 62 },
    ]);
    expect(state).toMatchObject({
      sessionModel: 'gemini-2.5-flash',
      turns: 3,
      filesWritten: ['edit.txt'],
      lastText: 'Edited edit.txt; could not write x.',
      inputTokens: 1900,
      outputTokens: 62,
    });
    expect(state.result?.status).toBe('success');
  });

  it('keeps the error result of a run stopped at its turn limit, and lists each file once', () => {
    const { state } = feed(RECORDED_TURN_LIMIT);
    expect(state).toMatchObject({ turns: 2, filesWritten: ['out/f0.txt'], inputTokens: 300, outputTokens: 60 });
    expect(state.result?.error?.type).toBe('FatalTurnLimitedError');
  });

  it.each<[string, string[], Partial<AgentEvent>[]]>([
    [
      'an error line becomes a warning status and is kept',
      ['{"type":"error","severity":"warning","message":"Loop detected, stopping execution"}'],
      [{ type: 'status', message: 'gemini warning: Loop detected, stopping execution' }],
    ],
    ['a line that is not JSON is shown as text', ['plain output'], [{ type: 'text', text: 'plain output' }]],
    ['the echoed prompt and unknown lines show nothing', ['{"type":"message","role":"user","content":"the prompt"}', '{"type":"something_new"}', ''], []],
    [
      'secrets are redacted from text and tool details',
      [
        '{"type":"message","role":"assistant","content":"key SECRET-VALUE"}',
        '{"type":"tool_use","tool_name":"run_shell_command","tool_id":"s","parameters":{"command":"echo SECRET-VALUE"}}',
      ],
      [
        { type: 'turn', turn: 1 },
        { type: 'text', text: 'key [redacted]' },
        { type: 'tool', name: 'run_shell_command', detail: '`echo [redacted]`' },
      ],
    ],
    [
      'a result without tokens reports no usage',
      [
        '{"type":"result","status":"error","error":{"type":"unknown","message":"[API Error: x]"},"stats":{"total_tokens":0,"input_tokens":0,"output_tokens":0}}',
      ],
      [],
    ],
  ])('%s', (_name, lines, expected) => {
    const { events } = feed(lines, (text) => text.split('SECRET-VALUE').join('[redacted]'));
    expect(events).toEqual(expected);
  });
});

describe('streamTokens', () => {
  it.each<[string, GeminiStreamStats, { input: number; output: number }]>([
    [
      'prompt tokens in (cached included), reply tokens out',
      { total_tokens: 2150, input_tokens: 2100, output_tokens: 50, cached: 30 },
      { input: 2100, output: 50 },
    ],
    ['thinking tokens (in the total only) count as output', { total_tokens: 2300, input_tokens: 2100, output_tokens: 50 }, { input: 2100, output: 200 }],
    ['empty stats', {}, { input: 0, output: 0 }],
  ])('%s', (_name, stats, expected) => expect(streamTokens(stats)).toEqual(expected));
});

describe('mainModel', () => {
  it.each<[GeminiStreamStats | undefined, string | undefined]>([
    [{ models: { 'gemini-2.5-flash-lite': { total_tokens: 90 }, 'gemini-2.5-pro': { total_tokens: 4000 } } }, 'gemini-2.5-pro'],
    [{ models: {} }, undefined],
    [undefined, undefined],
  ])('%j -> %s', (stats, expected) => expect(mainModel(stats)).toBe(expected));
});

describe('geminiToolDetail', () => {
  const display = (path: string) => path.replace('/workspace/', '');
  it.each<[Record<string, unknown>, string | undefined]>([
    [{ file_path: '/workspace/src/a.ts', content: 'x' }, 'src/a.ts'],
    [{ dir_path: '/workspace/src' }, 'src'],
    [{ command: 'npm test\nsecond line' }, '`npm test`'],
    [{ pattern: '**/*.ts' }, '**/*.ts'],
    [{ query: 'nx plugins' }, 'nx plugins'],
    [{ command: 'x'.repeat(120) }, `\`${'x'.repeat(79)}…\``],
    [{}, undefined],
  ])('%j -> %s', (parameters, expected) => expect(geminiToolDetail(parameters, display)).toBe(expected));
});
