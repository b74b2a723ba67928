import { type MatchableRequest, type RequestMatcher, type ScriptedClient, createTurnSelector, matchesRequest, writeFileConversation } from './index';

const request: MatchableRequest = {
  api: 'anthropic-messages',
  model: 'claude-haiku-4-5',
  conversation: { system: '', userTexts: ['Implement task ALPHA', 'Also add tests'], toolResults: ['ok'], endsWithToolResult: true },
};

describe('matchesRequest', () => {
  it.each<[string, RequestMatcher, boolean]>([
    ['an empty matcher', {}, true],
    ['the api', { api: 'anthropic-messages' }, true],
    ['another api', { api: 'gemini' }, false],
    ['part of the model', { model: 'haiku' }, true],
    ['another model', { model: 'opus' }, false],
    ['text of an earlier user message', { userTextIncludes: 'ALPHA' }, true],
    ['text of no user message', { userTextIncludes: 'BETA' }, false],
    ['text of the last user message', { lastUserTextIncludes: 'tests' }, true],
    ['text only an earlier message has, as the last', { lastUserTextIncludes: 'ALPHA' }, false],
    ['a tool result at the end', { afterToolResult: true }, true],
    ['no tool result at the end', { afterToolResult: false }, false],
    ['a custom test', { test: (candidate) => candidate.conversation?.toolResults[0] === 'ok' }, true],
    ['all conditions, one failing', { api: 'anthropic-messages', model: 'opus' }, false],
  ])('%s', (_name, matcher, expected) => {
    expect(matchesRequest(matcher, request)).toBe(expected);
  });
});

describe('createTurnSelector', () => {
  it('takes a bare array as the default queue and says "Done." once it is used up', () => {
    const selector = createTurnSelector([{ type: 'hang' }]);

    expect([selector.next(request), selector.next(request)]).toEqual([{ type: 'hang' }, { type: 'text', text: 'Done.' }]);
  });

  it('keeps one queue per rule and never shares turns between servers', () => {
    const script = {
      rules: [{ when: { model: 'haiku' }, turns: [{ type: 'text' as const, text: 'haiku' }] }],
      turns: [{ type: 'text' as const, text: 'other' }],
    };
    const first = createTurnSelector(script);
    const second = createTurnSelector(script);

    expect(first.next(request)).toEqual({ type: 'text', text: 'haiku' });
    expect(first.next({ model: 'opus' })).toEqual({ type: 'text', text: 'other' });
    expect(second.next(request)).toEqual({ type: 'text', text: 'haiku' });
    expect(script.rules[0].turns).toHaveLength(1);
  });
});

describe('writeFileConversation', () => {
  it.each<[ScriptedClient, string, Record<string, unknown>]>([
    ['claude-code', 'Write', { file_path: '/repo/a.txt', content: "it's" }],
    ['codex', 'exec_command', { cmd: `printf '%s' 'it'\\''s' > '/repo/a.txt'` }],
    ['gemini', 'write_file', { file_path: '/repo/a.txt', content: "it's" }],
    ['generic', 'write_file', { file_path: '/repo/a.txt', content: "it's" }],
  ])('speaks %s tool names', (client, name, input) => {
    const turns = writeFileConversation({ client, filePath: '/repo/a.txt', content: "it's", summary: 'Wrote a.txt' });

    expect(turns).toEqual([
      { type: 'tool-call', name, input },
      { type: 'text', text: 'Wrote a.txt' },
    ]);
  });
});
