import { projectNameProblem } from './path-safety';
import { parseStructured } from './parse-structured';
import type { ParsedSpecFile } from './parsed-spec-file';
import { decompositionFileSchema, decompositionTaskSchema } from './schema';
import { normalizeTask, readEntryId, validateEntry } from './validate-entry';

/**
 * Parses a `03-tasks.json` decomposition. The prompt is the subject and description;
 * `dependencies` become edges; `parallelWith` is kept so the graph layer can check it.
 */
export function parseDecomposition(file: string, content: string): ParsedSpecFile {
  const result: ParsedSpecFile = { file, format: 'decomposition', tasks: [], problems: [] };
  const parsed = parseStructured(file, content, 'json');
  if (!parsed.ok) {
    result.problems.push(parsed.problem);
    return result;
  }
  const root = validateEntry(decompositionFileSchema, parsed.value, {
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
  const slug = root.value.slug;
  const slugProblem = slug === undefined ? undefined : projectNameProblem(slug);
  if (slugProblem) {
    // The slug names a project the plugin defines, and that name becomes a folder: never a path.
    const message = `"slug" ${JSON.stringify(slug).slice(0, 80)} cannot name a project (${slugProblem}); the project is named after its folder instead. Use letters, digits, "-", "_" and "."`;
    result.problems.push({ code: 'unsafe-name', file, line: parsed.source.lineOf(['slug']), message });
  } else {
    result.slug = slug;
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
    const validated = validateEntry(decompositionTaskSchema, entry, { file, source: parsed.source, path, label }, id);
    if (!validated.ok) {
      result.problems.push(...validated.problems);
      return;
    }
    const task = validated.value;
    const prompt = [task.subject && `# ${task.subject}`, task.description].filter(Boolean).join('\n\n').trim();
    if (!prompt) {
      result.problems.push({
        code: 'missing-prompt',
        file,
        line,
        taskId: id,
        message: `task "${id}" has neither "subject" nor "description": one of them is its prompt`,
      });
      return;
    }
    const context = root.value.spec ? `\n\nThis task is part of the spec "${root.value.spec}".` : '';
    const normalized = normalizeTask(
      { ...task, description: task.subject ?? task.description },
      { id, prompt: prompt + context, file, line, format: 'decomposition', source: parsed.source, path },
    );
    if (!normalized.ok) {
      result.problems.push(normalized.problem);
      return;
    }
    result.tasks.push({
      ...normalized.task,
      parallelWith: task.parallelWith,
      phase: task.phase === undefined ? undefined : String(task.phase),
      phaseName: task.phaseName,
    });
  });
  return result;
}
