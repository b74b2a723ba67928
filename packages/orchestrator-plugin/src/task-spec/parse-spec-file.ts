import { basename } from 'node:path';
import { parseAgentMarkdown } from './parse-agent-markdown';
import { parseDecomposition } from './parse-decomposition';
import { parseTaskList } from './parse-task-list';
import type { ParsedSpecFile } from './parsed-spec-file';

/** The file names the plugin reads specs from (matched against the base name). */
export const SPEC_FILE_PATTERNS = {
  agentMarkdown: /\.agent\.md$/,
  taskList: /^agent-tasks\.(json|ya?ml)$/,
  decomposition: /^03-tasks\.json$/,
};

/** Whether a file name is one the plugin reads as a spec. */
export function isSpecFile(file: string): boolean {
  const name = basename(file);
  return Object.values(SPEC_FILE_PATTERNS).some((pattern) => pattern.test(name));
}

/**
 * Parses any spec file by its name. Pure: the caller reads the file; `file` is the
 * workspace-relative path used in every message.
 */
export function parseSpecFile(file: string, content: string): ParsedSpecFile {
  const name = basename(file);
  if (SPEC_FILE_PATTERNS.agentMarkdown.test(name)) return parseAgentMarkdown(file, content);
  if (SPEC_FILE_PATTERNS.taskList.test(name)) return parseTaskList(file, content);
  if (SPEC_FILE_PATTERNS.decomposition.test(name)) return parseDecomposition(file, content);
  return {
    file,
    format: 'agent-md',
    tasks: [],
    problems: [{ code: 'syntax', file, message: 'not a spec file: name it *.agent.md, agent-tasks.{json,yaml,yml} or 03-tasks.json' }],
  };
}
