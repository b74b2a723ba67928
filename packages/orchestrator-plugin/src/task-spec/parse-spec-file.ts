import { basename } from 'node:path';
import { describeError } from './bounded-text';
import { parseAgentMarkdown } from './parse-agent-markdown';
import { parseDecomposition } from './parse-decomposition';
import { parseSpecKit } from './parse-spec-kit';
import { parseTaskList } from './parse-task-list';
import { parseTaskMaster } from './parse-task-master';
import type { ParsedSpecFile } from './parsed-spec-file';
import type { SpecFormat } from './schema';

/** The file names the plugin reads specs from (matched against the base name). */
export const SPEC_FILE_PATTERNS = {
  agentMarkdown: /\.agent\.md$/,
  taskList: /^agent-tasks\.(json|ya?ml)$/,
  decomposition: /^03-tasks\.json$/,
};

/** The format a workspace-relative path is read as, or undefined when the plugin does not read it. */
export function specFormatOf(file: string): SpecFormat | undefined {
  const name = basename(file);
  if (SPEC_FILE_PATTERNS.agentMarkdown.test(name)) return 'agent-md';
  if (SPEC_FILE_PATTERNS.taskList.test(name)) return 'task-list';
  if (SPEC_FILE_PATTERNS.decomposition.test(name)) return 'decomposition';
  const segments = file.split('/');
  const parent = segments[segments.length - 2];
  // claude-task-master: `.taskmaster/tasks/tasks.json`, and the older `tasks/tasks.json`.
  if (name === 'tasks.json' && parent === 'tasks') return 'task-master';
  // GitHub spec-kit: `specs/<feature>/tasks.md`.
  if (name === 'tasks.md' && segments.length >= 3 && segments[segments.length - 3] === 'specs') return 'spec-kit';
  return undefined;
}

/** Whether a file name is one the plugin reads as a spec. */
export function isSpecFile(file: string): boolean {
  return specFormatOf(file) !== undefined;
}

const PARSERS: Record<SpecFormat, (file: string, content: string) => ParsedSpecFile> = {
  'agent-md': parseAgentMarkdown,
  'task-list': parseTaskList,
  decomposition: parseDecomposition,
  'task-master': parseTaskMaster,
  'spec-kit': parseSpecKit,
};

/**
 * Parses any spec file by its path: the one entry point for createNodes and the executor. Pure:
 * the caller reads the file; `file` is the workspace-relative path used in every message. Never
 * throws: whatever a parser throws becomes a problem naming the file, so one file can never
 * stop an Nx command.
 */
export function parseSpecFile(file: string, content: string): ParsedSpecFile {
  const format = specFormatOf(file);
  if (!format) {
    const message =
      'not a spec file: name it *.agent.md, agent-tasks.{json,yaml,yml}, 03-tasks.json, tasks/tasks.json (task-master) or specs/<feature>/tasks.md (spec-kit)';
    return { file, format: 'agent-md', tasks: [], problems: [{ code: 'syntax', file, message }] };
  }
  try {
    return PARSERS[format](file, content);
  } catch (error) {
    const message = `could not be read (${describeError(error)}): the file's tasks are skipped; the rest of the workspace is unaffected. Please report this with the file`;
    return { file, format, tasks: [], problems: [{ code: 'unreadable', file, message }] };
  }
}
