import { parseStructured } from './parse-structured';
import type { ParsedSpecFile } from './parsed-spec-file';
import { taskListEntrySchema, taskListFileSchema } from './schema';
import { normalizeTask, readEntryId, validateEntry } from './validate-entry';

/**
 * Parses `agent-tasks.{json,yaml,yml}`: `{ tasks: [ { id, prompt, ...task fields } ] }`.
 * Each entry is validated on its own, so one bad entry does not hide the others.
 */
export function parseTaskList(file: string, content: string): ParsedSpecFile {
  const result: ParsedSpecFile = { file, format: 'task-list', tasks: [], problems: [] };
  const parsed = parseStructured(file, content, file.endsWith('.json') ? 'json' : 'yaml');
  if (!parsed.ok) {
    result.problems.push(parsed.problem);
    return result;
  }
  const root = validateEntry(taskListFileSchema, parsed.value, {
    file,
    source: parsed.source,
    path: [],
    label: 'the file',
    expected: 'a mapping with a "tasks" list',
  });
  if (!root.ok) {
    result.problems.push(...root.problems);
    return result;
  }
  root.value.tasks.forEach((entry, index) => {
    const path = ['tasks', index] as const;
    const line = parsed.source.lineOf(path);
    const label = `task #${index + 1}`;
    const read = readEntryId(entry, { file, source: parsed.source, path, label });
    if (!read.ok) {
      result.problems.push(read.problem);
      return;
    }
    const id = read.id;
    const validated = validateEntry(taskListEntrySchema, entry, { file, source: parsed.source, path, label }, id);
    if (!validated.ok) {
      result.problems.push(...validated.problems);
      return;
    }
    const prompt = validated.value.prompt?.trim();
    if (!prompt) {
      result.problems.push({ code: 'missing-prompt', file, line, taskId: id, message: `task "${id}" has no prompt: add a "prompt" field` });
      return;
    }
    const normalized = normalizeTask(validated.value, { id, prompt, file, line, format: 'task-list', source: parsed.source, path });
    if (normalized.ok) result.tasks.push(normalized.task);
    else result.problems.push(normalized.problem);
  });
  return result;
}
