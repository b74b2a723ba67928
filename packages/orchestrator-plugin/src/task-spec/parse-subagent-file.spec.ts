import { parseSubagentFile, type SubagentProfile } from './parse-subagent-file';

const FILE = '.claude/agents/reviewer.md';

describe('parseSubagentFile', () => {
  it.each<[string, string, Omit<SubagentProfile, 'file'>]>([
    [
      'every field, tools as a comma-separated string',
      '---\nname: code-reviewer\ndescription: Reviews diffs\ntools: Read, Grep,  Glob\nmodel: sonnet\n---\nYou review code.\n\nBe terse.\n',
      {
        name: 'code-reviewer',
        profile: {
          provider: 'claude-code',
          description: 'Reviews diffs',
          tools: ['Read', 'Grep', 'Glob'],
          model: 'sonnet',
          systemPrompt: 'You review code.\n\nBe terse.',
        },
      },
    ],
    [
      'tools as a YAML list',
      '---\nname: a\ntools: [Read, Bash(git *)]\n---\nBody',
      { name: 'a', profile: { provider: 'claude-code', tools: ['Read', 'Bash(git *)'], systemPrompt: 'Body' } },
    ],
    [
      'model inherit means no model of its own',
      '---\nname: a\nmodel: inherit\n---\nBody',
      { name: 'a', profile: { provider: 'claude-code', systemPrompt: 'Body' } },
    ],
    ['no body, no system prompt', '---\nname: a\n---\n', { name: 'a', profile: { provider: 'claude-code' } }],
    ['closing fence at the end of the file', '---\nname: a\n---', { name: 'a', profile: { provider: 'claude-code' } }],
    [
      'no name: the file name',
      '---\ndescription: d\n---\nBody',
      { name: 'reviewer', profile: { provider: 'claude-code', description: 'd', systemPrompt: 'Body' } },
    ],
    ['a blank name: the file name', '---\nname: "  "\n---\nBody', { name: 'reviewer', profile: { provider: 'claude-code', systemPrompt: 'Body' } }],
    ['the name is trimmed', '---\nname: " spaced "\n---\n', { name: 'spaced', profile: { provider: 'claude-code' } }],
    [
      'a byte-order mark and CRLF line ends',
      '\uFEFF---\r\nname: a\r\ntools: Read\r\n---\r\nLine one\r\nLine two\r\n',
      { name: 'a', profile: { provider: 'claude-code', tools: ['Read'], systemPrompt: 'Line one\r\nLine two' } },
    ],
    [
      'a "---" inside the body stays in the body',
      '---\nname: a\n---\nIntro\n---\nMore',
      { name: 'a', profile: { provider: 'claude-code', systemPrompt: 'Intro\n---\nMore' } },
    ],
    ['fields of the wrong type are left out', '---\nname: a\ndescription: 42\nmodel: [x]\n---\n', { name: 'a', profile: { provider: 'claude-code' } }],
  ])('%s', (_name, content, expected) => {
    expect(parseSubagentFile(FILE, content)).toEqual({ ok: true, value: { ...expected, file: FILE } });
  });

  it.each<[string, string, RegExp]>([
    ['no frontmatter', 'You review code.', /^\.claude\/agents\/reviewer\.md: a subagent file starts with a "---" frontmatter block/],
    ['an unclosed frontmatter', '---\nname: a\nBody', /frontmatter block/],
    ['frontmatter not at the start', '\n\n---\nname: a\n---\n', /frontmatter block/],
    ['invalid YAML', '---\nname: [unclosed\n---\nBody', /^\.claude\/agents\/reviewer\.md: invalid YAML in the frontmatter: \S/],
  ])('%s is an error naming the file', (_name, content, expected) => {
    const result = parseSubagentFile(FILE, content);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toMatch(expected);
      expect(result.error).not.toContain('\n');
    }
  });
});
