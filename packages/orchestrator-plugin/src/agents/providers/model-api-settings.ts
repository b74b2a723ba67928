import { UnsupportedFeatureError, type AgentRunRequest, type AgentWarning } from '../agent-adapter';
import { FILE_TOOLS, type FileToolDefinition, type FileToolName } from './model-api-tools';

/** Model requests one run may make when the profile sets no `maxTurns`. */
export const DEFAULT_MAX_TURNS = 20;

/** How a model-API agent runs, after reading the profile's settings. */
export interface ModelApiSettings {
  /** The tools offered to the model. */
  tools: FileToolDefinition[];
  maxTurns: number;
  /** Settings the agent cannot honour as given, for warning events. */
  warnings: AgentWarning[];
}

// Claude Code's tool names map onto the file tools, so a `.claude/agents/*.md` profile works here too.
const TOOL_NAMES: Record<string, FileToolName> = {
  read_file: 'read_file',
  write_file: 'write_file',
  edit_file: 'edit_file',
  list_files: 'list_files',
  read: 'read_file',
  write: 'write_file',
  edit: 'edit_file',
  multiedit: 'edit_file',
  glob: 'list_files',
  ls: 'list_files',
};

/** Modes in which the model gets no tool that changes files (the table's read-only modes; matched ignoring case). */
const READ_ONLY_MODES = new Set(['plan', 'read-only', 'readonly', 'read_only']);

/**
 * Reads `tools` (the allowed subset of the file tools, by their names or Claude Code's
 * Read/Write/Edit/Glob/LS), `permissionMode` (`plan` / `read-only` drop the write tools) and
 * `maxTurns` (default {@link DEFAULT_MAX_TURNS}). A tool it does not have is left out with a
 * warning (that only narrows what the model may do); a rule such as `Write(src/**)` is refused
 * with an {@link UnsupportedFeatureError}: its file tools cover the whole workspace, and writing
 * outside the rule is exactly what the profile forbids. Every other permission mode lets the
 * allowed tools write (nobody can be asked in a headless run, and every tool stays inside the
 * workspace); unknown modes are refused before this (the capability table).
 */
export function resolveModelApiSettings(request: Pick<AgentRunRequest, 'tools' | 'permissionMode' | 'maxTurns'>, provider: string): ModelApiSettings {
  const warnings: AgentWarning[] = [];
  let names = new Set<FileToolName>(FILE_TOOLS.map((tool) => tool.name));
  if (request.tools?.length) {
    names = new Set();
    const unknown: string[] = [];
    for (const entry of request.tools) {
      const [name, rule] = splitToolRule(entry);
      const tool = TOOL_NAMES[name.toLowerCase()];
      if (!tool) unknown.push(entry);
      else names.add(tool);
      if (tool && rule) {
        throw new UnsupportedFeatureError(
          `provider "${provider}" cannot restrict ${name} to "${rule}": its file tools cover the whole workspace. List "${name}" without a rule, or use claude-code, which enforces rules`,
          { feature: 'tools' },
        );
      }
    }
    if (unknown.length) {
      warnings.push({
        type: 'unsupported-setting',
        setting: 'tools',
        details: `no tool ${unknown.map((name) => `"${name}"`).join(', ')}; its tools are ${FILE_TOOLS.map((tool) => tool.name).join(', ')}`,
      });
    }
  }
  const mode = request.permissionMode?.toLowerCase();
  if (mode !== undefined && READ_ONLY_MODES.has(mode)) {
    for (const tool of FILE_TOOLS) if (tool.writes) names.delete(tool.name);
  }
  return { tools: FILE_TOOLS.filter((tool) => names.has(tool.name)), maxTurns: request.maxTurns ?? DEFAULT_MAX_TURNS, warnings };
}

/** `Write(src/**)` -> [`Write`, `src/**`]; `Write` -> [`Write`, undefined]. */
function splitToolRule(entry: string): [string, string | undefined] {
  const match = /^\s*([^(\s]+)\s*(?:\((.*)\))?\s*$/.exec(entry);
  return match ? [match[1], match[2]] : [entry.trim(), undefined];
}
