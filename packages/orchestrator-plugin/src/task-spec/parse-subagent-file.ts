import { parse } from 'yaml';
import type { AgentProfile } from './plugin-options';

/** A profile read from a Claude Code subagent file, with where it came from. */
export interface SubagentProfile {
  name: string;
  profile: AgentProfile;
  /** Workspace-relative path of the `.claude/agents/*.md` file. */
  file: string;
}

/**
 * Parses a Claude Code subagent file (`.claude/agents/<name>.md`): frontmatter `name`,
 * `description`, `tools` (a comma-separated string or a list), `model`, `isolation`; the body is the
 * system prompt. The profile runs on the `claude-code` provider. Returns an error message
 * instead of throwing, so one bad file does not hide the others.
 */
export function parseSubagentFile(file: string, content: string): { ok: true; value: SubagentProfile } | { ok: false; error: string } {
  const match = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(content.replace(/^\uFEFF/, ''));
  if (!match) return { ok: false, error: `${file}: a subagent file starts with a "---" frontmatter block holding at least "name"` };
  let frontmatter: Record<string, unknown>;
  try {
    frontmatter = (parse(match[1]) ?? {}) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, error: `${file}: invalid YAML in the frontmatter: ${(error as Error).message.split('\n')[0]}` };
  }
  const name = typeof frontmatter.name === 'string' && frontmatter.name.trim() ? frontmatter.name.trim() : file.split('/').pop()!.replace(/\.md$/, '');
  const tools =
    typeof frontmatter.tools === 'string'
      ? frontmatter.tools
          .split(',')
          .map((tool) => tool.trim())
          .filter(Boolean)
      : Array.isArray(frontmatter.tools)
        ? frontmatter.tools.map(String)
        : undefined;
  const model = typeof frontmatter.model === 'string' && frontmatter.model !== 'inherit' ? frontmatter.model : undefined;
  const systemPrompt = content
    .replace(/^\uFEFF/, '')
    .slice(match[0].length)
    .trim();
  return {
    ok: true,
    value: {
      name,
      file,
      profile: {
        provider: 'claude-code',
        ...(typeof frontmatter.description === 'string' ? { description: frontmatter.description } : {}),
        ...(tools ? { tools } : {}),
        ...(model ? { model } : {}),
        ...(systemPrompt ? { systemPrompt } : {}),
        // Claude Code's own subagent field (`isolation: worktree`): the same meaning here.
        ...(frontmatter.isolation === 'worktree' ? { isolation: 'worktree' as const } : {}),
      },
    },
  };
}
