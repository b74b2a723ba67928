import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError } from '../agent-adapter';
import { createGeminiHome, geminiRunSettings, geminiToolNames, readSettingsFile, stripJsonComments, userGeminiFolder } from './gemini-home';

const UNATTENDED = {
  privacy: { usageStatisticsEnabled: false },
  general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 1 },
};

describe('geminiRunSettings', () => {
  it.each<[string, Record<string, unknown>, Parameters<typeof geminiRunSettings>[1], NodeJS.ProcessEnv, Record<string, unknown>]>([
    ['no user settings, no key: unattended defaults and a single attempt', {}, {}, {}, UNATTENDED],
    ['a GEMINI_API_KEY selects the API key auth', {}, {}, { GEMINI_API_KEY: 'k' }, { ...UNATTENDED, security: { auth: { selectedType: 'gemini-api-key' } } }],
    ['but not over Vertex AI chosen in the environment', {}, {}, { GEMINI_API_KEY: 'k', GOOGLE_GENAI_USE_VERTEXAI: 'true' }, UNATTENDED],
    [
      "the user's own choices stay, except the retries",
      {
        security: { auth: { selectedType: 'oauth-personal' } },
        privacy: { usageStatisticsEnabled: true },
        general: { maxAttempts: 5, vimMode: true },
        ui: { theme: 'x' },
      },
      {},
      { GEMINI_API_KEY: 'k' },
      {
        security: { auth: { selectedType: 'oauth-personal' } },
        privacy: { usageStatisticsEnabled: true },
        general: { maxAttempts: 1, vimMode: true, enableAutoUpdate: false, enableAutoUpdateNotification: false },
        ui: { theme: 'x' },
      },
    ],
    [
      "maxTurns and tools override the user's",
      { model: { maxSessionTurns: 50, name: 'm' }, tools: { core: ['glob'], exclude: ['x'] } },
      { maxTurns: 4, tools: ['Read', 'write_file'] },
      {},
      { ...UNATTENDED, model: { maxSessionTurns: 4, name: 'm' }, tools: { core: ['read_file', 'write_file'], exclude: ['x'] } },
    ],
    ['an empty tool list changes nothing', {}, { tools: [] }, {}, UNATTENDED],
  ])('%s', (_name, user, request, env, expected) => {
    const before = structuredClone(user);
    expect(geminiRunSettings(user, request, env).settings).toEqual(expected);
    expect(user).toEqual(before);
  });

  it('says which Claude Code tool names it translated and which it left out', () => {
    const { settings, notes, warnings } = geminiRunSettings({}, { tools: ['Read', 'Bash(git *)', 'Task'] }, {});
    expect((settings.tools as { core: string[] }).core).toEqual(['read_file', 'run_shell_command(git)']);
    expect(warnings).toEqual([{ type: 'unsupported-setting', setting: 'tools', details: 'gemini has no tool like Claude Code\'s Task; left out of "tools"' }]);
    expect(notes).toEqual(['gemini tools: read_file, run_shell_command(git) (translated Read → read_file, Bash(git *) → run_shell_command(git))']);
  });
});

describe('geminiToolNames', () => {
  it.each<[string[], string[]]>([
    [
      ['Read', 'Write', 'Edit', 'MultiEdit'],
      ['read_file', 'write_file', 'replace'],
    ],
    [['Bash'], ['run_shell_command']],
    [
      ['Bash(git *)', 'Bash(git:*)', 'Bash(npm test)'],
      ['run_shell_command(git)', 'run_shell_command(npm test)'],
    ],
    [
      ['Glob', 'Grep', 'LS', 'WebFetch', 'WebSearch', 'TodoWrite'],
      ['glob', 'grep_search', 'list_directory', 'web_fetch', 'google_web_search', 'write_todos'],
    ],
    [
      ['read_file', 'run_shell_command(ls)', 'mcp_server_tool', ' '],
      ['read_file', 'run_shell_command(ls)', 'mcp_server_tool'],
    ],
    [['NotebookEdit', 'Task'], []],
  ])('%j -> %j', (tools, expected) => expect(geminiToolNames(tools).names).toEqual(expected));
});

describe('stripJsonComments', () => {
  it.each<[string, unknown]>([
    ['{"a": 1} // trailing', { a: 1 }],
    ['{\n  // line\n  "a": "http://x//y", /* block */ "b": "/* kept */"\n}', { a: 'http://x//y', b: '/* kept */' }],
    ['{"a": "quote \\" // still a string"}', { a: 'quote " // still a string' }],
  ])('%s', (text, expected) => expect(JSON.parse(stripJsonComments(text))).toEqual(expected));
});

describe('userGeminiFolder', () => {
  it.each<[NodeJS.ProcessEnv, string]>([
    [{ GEMINI_CLI_HOME: '/custom', HOME: '/home/u' }, '/custom/.gemini'],
    [{ HOME: '/home/u' }, '/home/u/.gemini'],
  ])('%j -> %s', (env, expected) => expect(userGeminiFolder(env)).toBe(expected));
});

describe('createGeminiHome', () => {
  let root: string;
  let home: string;
  let workspace: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'gemini-home-spec-'));
    home = join(root, 'home');
    workspace = join(root, 'workspace');
    mkdirSync(join(home, '.gemini', 'extensions'), { recursive: true });
    mkdirSync(workspace);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('copies the user settings with the run settings merged in, links the rest, and never changes the user folder', () => {
    const userSettings = '{\n  // mine\n  "ui": {"theme": "Dracula"}\n}\n';
    writeFileSync(join(home, '.gemini', 'settings.json'), userSettings);
    writeFileSync(join(home, '.gemini', 'oauth_creds.json'), '{}');
    writeFileSync(join(home, '.gemini', 'GEMINI.md'), 'global memory');
    const geminiHome = createGeminiHome({
      env: { HOME: home, GEMINI_API_KEY: 'k' },
      request: { cwd: workspace, maxTurns: 3, systemPrompt: 'SYSTEM @nx/devkit ${AvailableTools}' },
      temporaryRoot: root,
    });

    const folder = join(geminiHome.path, '.gemini');
    expect(JSON.parse(readFileSync(join(folder, 'settings.json'), 'utf8'))).toMatchObject({
      ui: { theme: 'Dracula' },
      model: { maxSessionTurns: 3 },
      general: { maxAttempts: 1 },
      security: { auth: { selectedType: 'gemini-api-key' } },
    });
    expect(statSync(join(folder, 'settings.json')).mode & 0o077).toBe(0);
    for (const entry of ['oauth_creds.json', 'GEMINI.md', 'extensions']) expect(lstatSync(join(folder, entry)).isSymbolicLink()).toBe(true);
    expect(readFileSync(geminiHome.systemPromptFile as string, 'utf8')).toBe('SYSTEM @nx/devkit ${AvailableTools}');

    geminiHome.remove();
    geminiHome.remove();
    expect(existsSync(geminiHome.path)).toBe(false);
    expect(readFileSync(join(home, '.gemini', 'settings.json'), 'utf8')).toBe(userSettings);
    expect(readFileSync(join(home, '.gemini', 'GEMINI.md'), 'utf8')).toBe('global memory');
    expect(existsSync(join(home, '.gemini', 'extensions'))).toBe(true);
  });

  it('works without any user folder and without a system prompt', () => {
    const geminiHome = createGeminiHome({ env: { HOME: join(root, 'nobody') }, request: { cwd: workspace }, temporaryRoot: root });
    expect(geminiHome.systemPromptFile).toBeUndefined();
    expect(geminiHome.notes).toEqual([]);
    expect(geminiHome.warnings).toEqual([]);
    expect(JSON.parse(readFileSync(join(geminiHome.path, '.gemini', 'settings.json'), 'utf8'))).toEqual(UNATTENDED);
    geminiHome.remove();
  });

  it('warns when the workspace settings override a run setting', () => {
    mkdirSync(join(workspace, '.gemini'));
    writeFileSync(join(workspace, '.gemini', 'settings.json'), '{"model": {"maxSessionTurns": 100}, "tools": {"core": ["read_file"]}}');
    const geminiHome = createGeminiHome({ env: { HOME: home }, request: { cwd: workspace, maxTurns: 3, tools: ['read_file'] }, temporaryRoot: root });
    expect(geminiHome.warnings).toEqual([
      { type: 'other', message: 'the workspace\'s .gemini/settings.json sets model.maxSessionTurns, which overrides "maxTurns" for this run' },
    ]);
    geminiHome.remove();
  });

  it('refuses a user settings file that is not JSON, naming it', () => {
    writeFileSync(join(home, '.gemini', 'settings.json'), '{ nope');
    expect(() => createGeminiHome({ env: { HOME: home }, request: { cwd: workspace }, temporaryRoot: root })).toThrow(AgentError);
    expect(() => readSettingsFile(join(home, '.gemini', 'settings.json'))).toThrow(/settings.json is not a JSON object/);
  });
});
