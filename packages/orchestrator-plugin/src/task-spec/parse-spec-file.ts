import { describeError } from './bounded-text';
import { parseAgentMarkdown } from './parse-agent-markdown';
import { parseDecomposition } from './parse-decomposition';
import { parseSpecKit } from './parse-spec-kit';
import { parseTaskList } from './parse-task-list';
import { parseTaskMaster } from './parse-task-master';
import type { ParsedSpecFile } from './parsed-spec-file';
import type { SpecFormat } from './schema';
import { specFormatOf } from './spec-format';

export { isSpecFile, SPEC_FILE_PATTERNS, specFormatOf } from './spec-format';

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
