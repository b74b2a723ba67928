import { didYouMean } from './closest-match';
import type { ProviderId } from './plugin-options';

/** The profile settings every provider is asked about. */
export const AGENT_SETTINGS = ['model', 'systemPrompt', 'tools', 'maxTurns', 'permissionMode'] as const;
export type AgentSetting = (typeof AGENT_SETTINGS)[number];

/**
 * Something a run's user should know: a setting not honoured as given, or anything else.
 * Plain data: recorded in the run record and printed once as a `warning:` line.
 */
export type AgentWarning = { type: 'unsupported-setting'; setting: AgentSetting; details?: string } | { type: 'other'; message: string };

/**
 * How a provider treats one setting: `honoured` (its client enforces it), `partial` (in part;
 * `details` says how far) or `ignored` (its client has nothing like it). A setting that is not
 * honoured never reaches the adapter: the graph reports it, and the run leaves it out.
 */
export type SettingSupport = { support: 'honoured' } | { support: 'partial' | 'ignored'; details: string };

/** What one provider can do, declared once; every adapter declares its capabilities from this table. */
export interface ProviderCapabilities {
  settings: Readonly<Record<AgentSetting, SettingSupport>>;
  /** The `permissionMode` values it knows; absent: any value goes to the client, which checks it. */
  permissionModes?: readonly string[];
  /** The modes among them in which the agent cannot change files. */
  readOnlyPermissionModes?: readonly string[];
  /** A later turn can continue the same session (`resumeSessionId`): a verify follow-up resumes where it can. */
  resume: boolean;
  /**
   * The limits of a request's `budget` the client stops itself at: Claude Code at a cost
   * (`--max-budget-usd`), the SDK agent loop at both. Other limits are checked after the run.
   */
  budget: { readonly maxCostUsd: boolean; readonly maxTokens: boolean };
  /** Token counts come from the client (false: the adapter estimates them). */
  reportsTokens: boolean;
}

const HONOURED: SettingSupport = { support: 'honoured' };
const ALL_HONOURED = { model: HONOURED, systemPrompt: HONOURED, tools: HONOURED, maxTurns: HONOURED, permissionMode: HONOURED };
const NO_BUDGET = { maxCostUsd: false, maxTokens: false };
const COMMON = { resume: false, budget: NO_BUDGET, reportsTokens: true };
/** The SDK agent loop checks its spend between model requests. */
const LOOP_BUDGET = { maxCostUsd: true, maxTokens: true };

/** Permission modes of the model-API agents: the read-only ones drop the write tools. */
const MODEL_API_READ_ONLY_MODES = ['plan', 'read-only', 'readonly', 'read_only'];
const MODEL_API_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'dontAsk', 'auto', 'write', ...MODEL_API_READ_ONLY_MODES];

/** The capability table (see docs/agents.md, where it is shown to users). */
export const PROVIDER_CAPABILITIES: Readonly<Record<ProviderId, ProviderCapabilities>> = {
  // Every setting is a flag of `claude -p`; claude itself checks the permission mode.
  // Sessions persist, so a verify follow-up resumes the same one (`--resume <session_id>`).
  'claude-code': { ...COMMON, resume: true, settings: ALL_HONOURED, budget: { maxCostUsd: true, maxTokens: false } },
  codex: {
    ...COMMON,
    settings: {
      ...ALL_HONOURED,
      tools: { support: 'partial', details: 'codex chooses its own tools; the sandbox (permissionMode) limits what they may do' },
    },
    permissionModes: ['default', 'acceptEdits', 'dontAsk', 'plan', 'bypassPermissions', 'read-only', 'workspace-write', 'danger-full-access'],
    readOnlyPermissionModes: ['plan', 'read-only'],
  },
  gemini: {
    ...COMMON,
    settings: ALL_HONOURED,
    permissionModes: ['acceptEdits', 'auto_edit', 'autoEdit', 'default', 'dontAsk', 'bypassPermissions', 'yolo', 'plan'],
    readOnlyPermissionModes: ['plan'],
  },
  anthropic: { ...COMMON, settings: ALL_HONOURED, budget: LOOP_BUDGET, permissionModes: MODEL_API_MODES, readOnlyPermissionModes: MODEL_API_READ_ONLY_MODES },
  openai: { ...COMMON, settings: ALL_HONOURED, budget: LOOP_BUDGET, permissionModes: MODEL_API_MODES, readOnlyPermissionModes: MODEL_API_READ_ONLY_MODES },
  command: {
    ...COMMON,
    reportsTokens: false,
    settings: {
      model: { support: 'ignored', details: 'the command chooses its own model' },
      systemPrompt: { support: 'ignored', details: 'the command receives only the prompt' },
      tools: { support: 'ignored', details: 'nothing limits what the command does' },
      maxTurns: { support: 'ignored', details: 'the command is one process; only the timeout bounds it' },
      permissionMode: { support: 'ignored', details: 'nothing limits what the command does' },
    },
  },
  scripted: {
    ...COMMON,
    // Its follow-up turns follow the script's followUps (see scripted-agent).
    resume: true,
    reportsTokens: false,
    settings: {
      ...ALL_HONOURED,
      model: { support: 'ignored', details: 'the scripted agent calls no model' },
      // Its script is the whole of what it does: no tool or mode could widen it.
      tools: { support: 'partial', details: 'the scripted agent only writes the files of its script' },
      permissionMode: { support: 'partial', details: 'the scripted agent only writes the files of its script' },
    },
  },
};

/** Tools that change files or run commands, by Claude Code's, gemini's, codex's and the file tools' names. */
const CHANGING_TOOLS = new Set(
  ['Write', 'Edit', 'MultiEdit', 'NotebookEdit', 'Bash', 'write_file', 'edit_file', 'replace', 'run_shell_command', 'shell', 'apply_patch'].map((name) =>
    name.toLowerCase(),
  ),
);

/** Restrictions: ignoring one would let the agent do what the profile forbids. */
const RESTRICTIONS: ReadonlySet<AgentSetting> = new Set(['tools', 'permissionMode']);

export type AgentSettings = Partial<Record<AgentSetting, string | number | readonly string[] | undefined>>;

/** What a provider makes of a profile's settings: errors fail the task before it runs; warnings are reported and the run goes on. */
export interface SettingsCheck {
  errors: string[];
  warnings: AgentWarning[];
}

/**
 * Checks a task's settings against its provider's capabilities, before anything runs.
 * Errors: a restriction (`tools`, `permissionMode`) the provider would ignore, a permission
 * mode it does not know (it would run with another, maybe wider one), and a `tools` list that
 * allows no changes given to a provider that can only limit changes through its permission
 * mode. Warnings: `model`, `systemPrompt` or `maxTurns` a provider ignores (the run still does
 * what was asked, only less steered; the timeout still bounds it) and partly honoured settings.
 */
export function checkAgentSettings(provider: ProviderId, settings: AgentSettings): SettingsCheck {
  const capabilities = PROVIDER_CAPABILITIES[provider];
  const check: SettingsCheck = { errors: [], warnings: [] };
  for (const setting of AGENT_SETTINGS) {
    if (!isSet(settings[setting])) continue;
    const declared = capabilities.settings[setting];
    if (declared.support === 'honoured') continue;
    if (declared.support === 'ignored' && RESTRICTIONS.has(setting)) {
      check.errors.push(
        `provider "${provider}" cannot honour "${setting}" (${declared.details}): a restriction nothing enforces would let the agent do what the profile forbids. Remove "${setting}" or choose a provider that enforces it`,
      );
    } else check.warnings.push({ type: 'unsupported-setting', setting, details: declared.details });
  }
  const mode = settings.permissionMode;
  if (typeof mode === 'string' && capabilities.permissionModes && !capabilities.permissionModes.includes(mode)) {
    check.errors.push(
      `provider "${provider}" has no permission mode "${mode}".${didYouMean(mode, capabilities.permissionModes)} Known: ${capabilities.permissionModes.join(', ')}`,
    );
  }
  const tools = Array.isArray(settings.tools) ? (settings.tools as readonly string[]) : [];
  const readOnly = typeof mode === 'string' && (capabilities.readOnlyPermissionModes ?? []).includes(mode);
  if (capabilities.settings.tools.support === 'partial' && capabilities.readOnlyPermissionModes && tools.length && !readOnly && !tools.some(isChangingTool)) {
    check.errors.push(
      `provider "${provider}" cannot limit its tools, and "tools" (${tools.join(', ')}) allows no edits or commands: set "permissionMode" to "${capabilities.readOnlyPermissionModes[0]}" so it cannot change files, or add "Write" to "tools"`,
    );
  }
  return check;
}

/** The settings a provider honours, with the others left out: what its adapter receives. */
export function honouredSettings<T extends AgentSettings>(provider: ProviderId, settings: T): T {
  const capabilities = PROVIDER_CAPABILITIES[provider];
  const kept = { ...settings };
  for (const setting of AGENT_SETTINGS) if (capabilities.settings[setting].support !== 'honoured') delete kept[setting];
  return kept;
}

/** A warning as one line of the task's output: `provider "codex" cannot honour "tools" (Read, Write): details`. */
export function describeAgentWarning(warning: AgentWarning, provider: string, settings: AgentSettings = {}): string {
  if (warning.type === 'other') return warning.message;
  const value = settings[warning.setting];
  const shown = Array.isArray(value) ? value.join(', ') : value === undefined ? '' : String(value);
  return `provider "${provider}" cannot honour "${warning.setting}"${shown ? ` (${shown.length > 80 ? `${shown.slice(0, 79)}…` : shown})` : ''}${warning.details ? `: ${warning.details}` : ''}`;
}

function isSet(value: AgentSettings[AgentSetting]): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function isChangingTool(tool: string): boolean {
  return CHANGING_TOOLS.has(tool.replace(/\(.*$/s, '').trim().toLowerCase());
}
