import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, type AgentRunRequest, type AgentWarning } from '../agent-adapter';

type Json = Record<string, unknown>;

/** A per-run configuration folder for gemini, pointed at by `GEMINI_CLI_HOME`. */
export interface GeminiHome {
  /** The value for `GEMINI_CLI_HOME`: gemini reads `<path>/.gemini/settings.json`. */
  path: string;
  /** The file for `GEMINI_SYSTEM_MD`, when the profile sets a system prompt. */
  systemPromptFile?: string;
  /** What the run changed, for the task's output. */
  notes: string[];
  /** What the run could not do as the profile or the environment says. */
  warnings: AgentWarning[];
  /** Deletes the folder (its links, never what they point to). Safe to call twice. */
  remove(): void;
}

export interface GeminiHomeOptions {
  /** The agent's environment (caller's env plus the profile's). */
  env: NodeJS.ProcessEnv;
  request: Pick<AgentRunRequest, 'tools' | 'maxTurns' | 'systemPrompt' | 'cwd'>;
  /** Where the folder is created; default the OS temp folder. */
  temporaryRoot?: string;
}

/** Claude Code tool names (as `.claude/agents/*.md` profiles use them) and gemini's names for the same tools. */
const CLAUDE_TOOL_NAMES: Record<string, string> = {
  Read: 'read_file',
  Write: 'write_file',
  Edit: 'replace',
  MultiEdit: 'replace',
  Bash: 'run_shell_command',
  Glob: 'glob',
  Grep: 'grep_search',
  LS: 'list_directory',
  WebFetch: 'web_fetch',
  WebSearch: 'google_web_search',
  TodoWrite: 'write_todos',
};
/** Claude Code tools gemini has nothing like: dropped with a warning rather than passed on to match nothing. */
const CLAUDE_ONLY_TOOLS = new Set([
  'Task',
  'Agent',
  'NotebookEdit',
  'NotebookRead',
  'BashOutput',
  'KillShell',
  'KillBash',
  'SlashCommand',
  'ExitPlanMode',
  'Skill',
]);

/**
 * Builds the folder gemini runs with instead of `~/.gemini`, so one run gets its own settings
 * without touching the user's files. gemini 0.61 reads a system settings file only when root
 * owns it and every folder above it (`GEMINI_CLI_SYSTEM_SETTINGS_PATH` cannot point at a temp
 * file), and has no flags for turn limits, tool lists or retries; `GEMINI_CLI_HOME` moves the
 * whole user folder. So the folder holds a copy of the user's `settings.json` with the run's
 * settings merged in, and links to every other entry of the user's folder (credentials,
 * extensions, GEMINI.md, history), which gemini therefore still finds and updates.
 */
export function createGeminiHome(options: GeminiHomeOptions): GeminiHome {
  const userFolder = userGeminiFolder(options.env);
  const userSettings = readSettingsFile(join(userFolder, 'settings.json')) ?? {};
  const { settings, notes, warnings } = geminiRunSettings(userSettings, options.request, options.env);
  warnings.push(...workspaceOverrides(options.request.cwd, settings).map((message): AgentWarning => ({ type: 'other', message })));

  const path = mkdtempSync(join(options.temporaryRoot ?? tmpdir(), 'nx-agent-gemini-'));
  const remove = () => rmSync(path, { recursive: true, force: true });
  try {
    const folder = join(path, '.gemini');
    mkdirSync(folder, { mode: 0o700 });
    // The copy may hold the user's MCP tokens: readable by the user only, like the temp folder.
    writeFileSync(join(folder, 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    const entries = existsSync(userFolder) ? readdirSync(userFolder) : [];
    for (const entry of entries.filter((name) => name !== 'settings.json')) symlinkSync(join(userFolder, entry), join(folder, entry));
    let systemPromptFile: string | undefined;
    if (options.request.systemPrompt) {
      systemPromptFile = join(path, 'system.md');
      writeFileSync(systemPromptFile, options.request.systemPrompt, { mode: 0o600 });
      if (options.env.GEMINI_SYSTEM_MD) notes.push('the profile\'s "systemPrompt" replaces the GEMINI_SYSTEM_MD file set in the environment');
    }
    return { path, systemPromptFile, notes, warnings, remove };
  } catch (error) {
    remove();
    throw new AgentError(`could not prepare gemini's settings folder: ${(error as Error).message}`, { isRetryable: false, cause: error });
  }
}

/** The user's own gemini folder: `$GEMINI_CLI_HOME/.gemini`, else `~/.gemini`. */
export function userGeminiFolder(env: NodeJS.ProcessEnv): string {
  return join(env.GEMINI_CLI_HOME || env.HOME || homedir(), '.gemini');
}

/**
 * The settings one run uses: the user's, with
 * - `general.maxAttempts: 1`: gemini otherwise retries a 429 or 5xx up to 10 times with 5-30 s
 *   pauses inside one attempt and one timeout; the task's `retries` is the only retry policy;
 * - `model.maxSessionTurns` from `maxTurns`, and `tools.core` from `tools` (Claude Code names
 *   translated), which both limits the built-in tools and lets the listed ones run unasked;
 * - defaults for an unattended run where the user chose nothing: the API key auth when
 *   `GEMINI_API_KEY` is set (without it gemini exits 41 when `GOOGLE_GEMINI_BASE_URL` is set),
 *   no usage statistics, no auto-update (parallel runs share one installation).
 */
export function geminiRunSettings(
  userSettings: Json,
  request: Pick<AgentRunRequest, 'tools' | 'maxTurns'>,
  env: NodeJS.ProcessEnv,
): { settings: Json; notes: string[]; warnings: AgentWarning[] } {
  const notes: string[] = [];
  const warnings: AgentWarning[] = [];
  const settings = structuredClone(userSettings);
  setIfUnset(settings, ['privacy', 'usageStatisticsEnabled'], false);
  setIfUnset(settings, ['general', 'enableAutoUpdate'], false);
  setIfUnset(settings, ['general', 'enableAutoUpdateNotification'], false);
  const otherAuth = env.GOOGLE_GENAI_USE_VERTEXAI === 'true' || env.GOOGLE_GENAI_USE_GCA === 'true';
  if (env.GEMINI_API_KEY && !otherAuth) setIfUnset(settings, ['security', 'auth', 'selectedType'], 'gemini-api-key');
  setPath(settings, ['general', 'maxAttempts'], 1);
  if (request.maxTurns !== undefined) setPath(settings, ['model', 'maxSessionTurns'], request.maxTurns);
  const tools = geminiToolNames(request.tools ?? []);
  if (tools.unsupported.length) {
    warnings.push({
      type: 'unsupported-setting',
      setting: 'tools',
      details: `gemini has no tool like Claude Code's ${tools.unsupported.join(', ')}; left out of "tools"`,
    });
  }
  if (tools.names.length || tools.unsupported.length) {
    setPath(settings, ['tools', 'core'], tools.names);
    if (tools.translated.length) notes.push(`gemini tools: ${tools.names.join(', ') || 'none'} (translated ${tools.translated.join(', ')})`);
  }
  return { settings, notes, warnings };
}

/**
 * gemini's names for a profile's tools: Claude Code names are translated (`Read` to
 * `read_file`, `Bash(git *)` to `run_shell_command(git)`), anything else is kept as given.
 */
export function geminiToolNames(tools: readonly string[]): { names: string[]; translated: string[]; unsupported: string[] } {
  const names: string[] = [];
  const translated: string[] = [];
  const unsupported: string[] = [];
  for (const tool of tools.map((entry) => entry.trim()).filter(Boolean)) {
    const [, base, argument] = /^([A-Za-z]+)(?:\((.*)\))?$/s.exec(tool) ?? [];
    if (base !== undefined && CLAUDE_ONLY_TOOLS.has(base)) {
      unsupported.push(tool);
      continue;
    }
    const mapped = base === undefined ? undefined : CLAUDE_TOOL_NAMES[base];
    let name = tool;
    if (mapped !== undefined) {
      // Claude's `git *` and `git:*` prefixes are gemini's plain `git` prefix.
      const prefix = argument?.replace(/\s*:?\*$/, '').trim();
      name = prefix ? `${mapped}(${prefix})` : mapped;
      translated.push(`${tool} → ${name}`);
    }
    if (!names.includes(name)) names.push(name);
  }
  return { names, translated, unsupported };
}

/** A settings file as gemini reads it (JSON with comments); undefined when it does not exist. */
export function readSettingsFile(path: string): Json | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value: unknown = JSON.parse(stripJsonComments(text));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {
    // Reported below.
  }
  throw new AgentError(`gemini settings file ${path} is not a JSON object: fix it (gemini itself would refuse to start)`, { isRetryable: false });
}

/** Removes `//` and `/* *\/` comments outside strings, as gemini's settings loader does. */
export function stripJsonComments(text: string): string {
  let output = '';
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (character === '"') {
      const end = endOfString(text, index);
      output += text.slice(index, end);
      index = end - 1;
    } else if (character === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++;
      output += '\n';
    } else if (character === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      index = end === -1 ? text.length : end + 1;
      output += ' ';
    } else {
      output += character;
    }
  }
  return output;
}

function endOfString(text: string, start: number): number {
  for (let index = start + 1; index < text.length; index++) {
    if (text[index] === '\\') index++;
    else if (text[index] === '"') return index + 1;
  }
  return text.length;
}

/** Workspace settings (`<workspace>/.gemini/settings.json`) win over user settings: say which run settings they override. */
function workspaceOverrides(cwd: string, settings: Json): string[] {
  let workspace: Json | undefined;
  try {
    workspace = readSettingsFile(join(cwd, '.gemini', 'settings.json'));
  } catch {
    return ["the workspace's .gemini/settings.json is not valid JSON; gemini may refuse to start"];
  }
  if (!workspace) return [];
  const watched: Array<[string[], string]> = [
    [['model', 'maxSessionTurns'], '"maxTurns"'],
    [['tools', 'core'], '"tools"'],
    [['general', 'maxAttempts'], 'the single-attempt retry setting'],
  ];
  return watched
    .filter(([path]) => readPath(workspace, path) !== undefined && JSON.stringify(readPath(workspace, path)) !== JSON.stringify(readPath(settings, path)))
    .map(([path, setting]) => `the workspace's .gemini/settings.json sets ${path.join('.')}, which overrides ${setting} for this run`);
}

function readPath(settings: Json, path: readonly string[]): unknown {
  return path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Json)[key] : undefined), settings);
}

function setPath(settings: Json, path: readonly string[], value: unknown): void {
  let target = settings;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    target = target[key] = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Json) : {};
  }
  target[path[path.length - 1]] = value;
}

function setIfUnset(settings: Json, path: readonly string[], value: unknown): void {
  if (readPath(settings, path) === undefined) setPath(settings, path, value);
}
