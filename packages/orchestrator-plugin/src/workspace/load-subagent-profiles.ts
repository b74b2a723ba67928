import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSubagentFile, type SubagentProfile } from '../task-spec/parse-subagent-file';

/** Where Claude Code keeps project subagents. */
export const SUBAGENTS_FOLDER = '.claude/agents';

/**
 * Profiles from the workspace's `.claude/agents/*.md` (sorted by file name), and the
 * problems of the files that could not be read. A workspace without the folder has none.
 */
export function loadSubagentProfiles(workspaceRoot: string): { profiles: SubagentProfile[]; problems: string[] } {
  let names: string[];
  try {
    names = readdirSync(join(workspaceRoot, SUBAGENTS_FOLDER))
      .filter((name) => name.endsWith('.md'))
      .sort();
  } catch {
    return { profiles: [], problems: [] };
  }
  const profiles: SubagentProfile[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const file = `${SUBAGENTS_FOLDER}/${name}`;
    let content: string;
    try {
      content = readFileSync(join(workspaceRoot, file), 'utf8');
    } catch (error) {
      // A folder named *.md, or a file we may not read: one problem, not a broken graph.
      problems.push(`${file}: cannot be read: ${(error as Error).message}`);
      continue;
    }
    const parsed = parseSubagentFile(file, content);
    if (parsed.ok) profiles.push(parsed.value);
    else problems.push(parsed.error);
  }
  return { profiles, problems };
}
