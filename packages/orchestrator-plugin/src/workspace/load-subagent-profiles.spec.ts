import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PLUGIN_OPTIONS, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import { resolveAgent, UnknownAgentError } from '../task-spec/resolve-agent';
import { loadSubagentProfiles } from './load-subagent-profiles';

let workspaceRoot: string;
beforeEach(() => (workspaceRoot = mkdtempSync(join(tmpdir(), 'subagents-'))));
afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

function writeAgents(files: Record<string, string>) {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(workspaceRoot, '.claude/agents', name, '..'), { recursive: true });
    writeFileSync(join(workspaceRoot, '.claude/agents', name), content);
  }
}

describe('loadSubagentProfiles', () => {
  it('a workspace without .claude/agents has no profiles and no problems', () => {
    expect(loadSubagentProfiles(workspaceRoot)).toEqual({ profiles: [], problems: [] });
  });

  it('reads every .md file sorted by name, skips other files, and reports bad ones without hiding the rest', () => {
    writeAgents({
      'writer.md': '---\nname: writer\nmodel: opus\n---\nYou write.',
      'a-reviewer.md': '---\nname: reviewer\ntools: Read, Grep\n---\nYou review.',
      'broken.md': 'no frontmatter here',
      'notes.txt': '---\nname: not-a-profile\n---\n',
    });
    const { profiles, problems } = loadSubagentProfiles(workspaceRoot);
    expect(profiles).toEqual([
      { name: 'reviewer', file: '.claude/agents/a-reviewer.md', profile: { provider: 'claude-code', tools: ['Read', 'Grep'], systemPrompt: 'You review.' } },
      { name: 'writer', file: '.claude/agents/writer.md', profile: { provider: 'claude-code', model: 'opus', systemPrompt: 'You write.' } },
    ]);
    expect(problems).toEqual([expect.stringMatching(/^\.claude\/agents\/broken\.md: a subagent file starts with/)]);
  });

  it('a folder whose name ends in .md is reported, not thrown', () => {
    writeAgents({ 'good.md': '---\nname: good\n---\n', 'folder.md/inside.md': '---\nname: inside\n---\n' });
    const { profiles, problems } = loadSubagentProfiles(workspaceRoot);
    expect(profiles.map((profile) => profile.name)).toEqual(['good']);
    expect(problems).toEqual([expect.stringMatching(/^\.claude\/agents\/folder\.md: /)]);
  });
});

describe('resolveAgent with profiles from nx.json and .claude/agents', () => {
  const options: NormalizedPluginOptions = {
    ...DEFAULT_PLUGIN_OPTIONS,
    defaultAgent: 'reviewer',
    agents: {
      implementer: { provider: 'anthropic', model: 'claude-sonnet-4', systemPrompt: 'Implement.' },
      // The same name as a subagent file: nx.json wins.
      shadowed: { provider: 'openai', model: 'gpt-5' },
    },
  };
  const task = (agent?: string, model?: string) => ({ id: 'write-api', file: 'apps/api/write-api.agent.md', agent, model });

  beforeEach(() =>
    writeAgents({
      'reviewer.md': '---\nname: reviewer\nmodel: haiku\n---\nYou review.',
      'shadowed.md': '---\nname: shadowed\n---\nFrom the file.',
    }),
  );

  it.each<[string, string | undefined, string | undefined, object]>([
    [
      'an nx.json profile',
      'implementer',
      undefined,
      { name: 'implementer', provider: 'anthropic', profile: { provider: 'anthropic', model: 'claude-sonnet-4', systemPrompt: 'Implement.' } },
    ],
    [
      'the task model overrides the profile model',
      'implementer',
      'claude-opus-4',
      { name: 'implementer', provider: 'anthropic', profile: { provider: 'anthropic', model: 'claude-opus-4', systemPrompt: 'Implement.' } },
    ],
    [
      'a subagent file, with where it came from',
      'reviewer',
      undefined,
      {
        name: 'reviewer',
        provider: 'claude-code',
        file: '.claude/agents/reviewer.md',
        profile: { provider: 'claude-code', model: 'haiku', systemPrompt: 'You review.' },
      },
    ],
    [
      'no agent: the default agent',
      undefined,
      undefined,
      {
        name: 'reviewer',
        provider: 'claude-code',
        file: '.claude/agents/reviewer.md',
        profile: { provider: 'claude-code', model: 'haiku', systemPrompt: 'You review.' },
      },
    ],
    [
      'nx.json wins over a subagent file of the same name',
      'shadowed',
      undefined,
      { name: 'shadowed', provider: 'openai', profile: { provider: 'openai', model: 'gpt-5' } },
    ],
    ['a bare provider id', 'codex', undefined, { name: 'codex', provider: 'codex', profile: { provider: 'codex', model: undefined } }],
    [
      'a bare provider id with a model',
      'scripted',
      'scripted-1',
      { name: 'scripted', provider: 'scripted', profile: { provider: 'scripted', model: 'scripted-1' } },
    ],
  ])('%s', (_name, agent, model, expected) => {
    const { profiles } = loadSubagentProfiles(workspaceRoot);
    expect(resolveAgent(task(agent, model), options, profiles)).toEqual(expected);
  });

  it.each(['reviewr', 'toString', 'constructor', 'Claude-Code'])('"%s" is unknown, and the error lists every known name', (agent) => {
    const { profiles } = loadSubagentProfiles(workspaceRoot);
    const attempt = () => resolveAgent(task(agent), options, profiles);
    expect(attempt).toThrow(UnknownAgentError);
    expect(attempt).toThrow(
      `task "write-api" (apps/api/write-api.agent.md) names agent "${agent}", which is neither a profile nor a provider. ` +
        'Profiles (nx.json and .claude/agents): implementer, reviewer, shadowed; providers: claude-code, codex, gemini, anthropic, openai, command, scripted.',
    );
  });

  it('with no profiles at all, the error says (none)', () => {
    expect(() => resolveAgent(task('nope'), DEFAULT_PLUGIN_OPTIONS, [])).toThrow('Profiles (nx.json and .claude/agents): (none); providers:');
  });
});
