import { basename } from 'node:path';
import { parseStructured } from './parse-structured';
import type { ParsedSpecFile } from './parsed-spec-file';
import { taskFieldsSchema } from './schema';
import { SourceDocument } from './source-document';
import { checkTaskId, normalizeTask, validateEntry } from './validate-entry';

/**
 * Parses a `*.agent.md` file: optional YAML frontmatter with the task fields, then the
 * prompt in markdown. The id defaults to the file name without `.agent.md`.
 */
export function parseAgentMarkdown(file: string, content: string): ParsedSpecFile {
  const result: ParsedSpecFile = { file, format: 'agent-md', tasks: [], problems: [] };
  const text = content.replace(/^\uFEFF/, '');
  let frontmatter = '';
  let body = text;
  let bodyLine = 1;
  if (/^---[ \t]*\r?\n/.test(text)) {
    const match = splitFrontmatter(text);
    if (!match) {
      result.problems.push({
        code: 'syntax',
        file,
        line: 1,
        message: 'the frontmatter opened with "---" on line 1 is never closed: end it with a line "---" before the prompt',
      });
      return result;
    }
    frontmatter = match.frontmatter;
    body = text.slice(match.end);
    bodyLine = match.bodyLine;
  }
  const parsed = frontmatter.trim() ? parseStructured(file, frontmatter, 'yaml', 1) : { ok: true as const, value: {}, source: new SourceDocument('', 1) };
  if (!parsed.ok) {
    result.problems.push(parsed.problem);
    return result;
  }
  const fileId = basename(file).replace(/\.agent\.md$/, '');
  const rawId = (parsed.value as { id?: unknown } | null)?.id;
  const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : fileId;
  const idLine = rawId === undefined ? undefined : parsed.source.lineOf(['id']);
  const idProblem = checkTaskId(id, file, idLine);
  if (idProblem) {
    const fromFileName = rawId === undefined ? ' (it comes from the file name: rename the file or set "id" in the frontmatter)' : '';
    result.problems.push({ ...idProblem, message: idProblem.message + fromFileName });
    return result;
  }
  const location = { file, source: parsed.source, path: [], label: `the frontmatter` };
  const validated = validateEntry(taskFieldsSchema, parsed.value ?? {}, location, id);
  if (!validated.ok) {
    result.problems.push(...validated.problems);
    return result;
  }
  const prompt = body.trim();
  if (!prompt) {
    result.problems.push({
      code: 'missing-prompt',
      file,
      line: bodyLine,
      taskId: id,
      message: `task "${id}" has no prompt: write it in markdown ${bodyLine > 1 ? 'below the frontmatter' : 'in this file'}`,
    });
    return result;
  }
  const normalized = normalizeTask(validated.value, { id, prompt, file, line: 1, format: 'agent-md', source: parsed.source, path: [] });
  if (normalized.ok) result.tasks.push(normalized.task);
  else result.problems.push(normalized.problem);
  return result;
}

/**
 * The frontmatter of a text that opens with a `---` line: everything up to the next line that is
 * `---` (trailing spaces allowed). A line scan, not a regular expression: a large file with no
 * closing line must cost one pass, not one attempt per line.
 */
function splitFrontmatter(text: string): { frontmatter: string; end: number; bodyLine: number } | undefined {
  let start = text.indexOf('\n') + 1;
  for (let line = 2; start > 0 && start <= text.length; line++) {
    const newline = text.indexOf('\n', start);
    const lineEnd = newline < 0 ? text.length : newline;
    const content = text.slice(start, lineEnd).replace(/\r$/, '');
    if (content.startsWith('---') && content.slice(3).trim() === '' && !/[^ \t]/.test(content.slice(3))) {
      const frontmatter = text.slice(text.indexOf('\n') + 1, start).replace(/\r?\n$/, '');
      return { frontmatter, end: newline < 0 ? text.length : newline + 1, bodyLine: newline < 0 ? line : line + 1 };
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return undefined;
}
