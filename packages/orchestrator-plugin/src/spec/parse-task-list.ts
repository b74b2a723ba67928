import { parseStructured } from './parse-structured';
import type { ParsedSpecFile } from './parsed-spec-file';
import { taskListEntrySchema, taskListFileSchema } from './schema';
import { checkTaskId, normalizeTask, validateEntry } from './validate-entry';

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
  const root = validateEntry(taskListFileSchema, parsed.value, { file, source: parsed.source, path: [], label: 'the file' });
  if (!root.ok) {
    result.problems.push(...root.problems);
    return result;
  }
  root.value.tasks.forEach((entry, index) => {
    const path = ['tasks', index] as const;
    const line = parsed.source.lineOf(path);
    const rawId = (entry as { id?: unknown } | null)?.id;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') {
      result.problems.push({ code: 'invalid-id', file, line, message: `task #${index + 1} has no "id": every entry of a task list needs one` });
      return;
    }
    const id = String(rawId);
    const idProblem = checkTaskId(id, file, parsed.source.lineOf([...path, 'id']));
    if (idProblem) {
      result.problems.push(idProblem);
      return;
    }
    const validated = validateEntry(taskListEntrySchema, entry, { file, source: parsed.source, path, label: `task #${index + 1}` }, id);
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
