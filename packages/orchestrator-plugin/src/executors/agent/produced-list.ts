import { readFileSync } from 'node:fs';
import { describeError, quote } from '../../task-spec/bounded-text';
import { parseSpecFile } from '../../task-spec/parse-spec-file';
import { resolveInside } from '../../task-spec/path-safety';
import { formatSpecProblem, type SpecProblem } from '../../task-spec/spec-error';

/** Problems written into the analysis task's error; the rest are counted. */
const MAX_PROBLEMS_SHOWN = 20;

/** The produced list as the nested run will read it, or why it cannot run. */
export type ProducedListCheck = { ok: true; tasks: string[] } | { ok: false; message: string };

/**
 * Reads and parses the task list an analysis task wrote (`file`, workspace-relative), the way
 * createNodes will: a missing file, a file that does not parse, or a task that depends on an id
 * the list does not have (ids resolve within the list) is a failure naming the file; nothing of
 * the list runs then. Returns the ids of its tasks otherwise (none for an empty list).
 */
export function checkProducedList(request: { workspaceRoot: string; file: string; produces: string; analysis: string }): ProducedListCheck {
  const { file, analysis } = request;
  let content: string;
  try {
    content = readFileSync(resolveInside(request.workspaceRoot, file), 'utf8');
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : describeError(error);
    return { ok: false, message: `${analysis} did not write the task list it produces (produces: ${quote(request.produces)}): ${file}: ${why}` };
  }
  const parsed = parseSpecFile(file, content);
  const problems: SpecProblem[] = [...parsed.problems];
  const ids = new Set(parsed.tasks.map((task) => task.id));
  for (const task of parsed.tasks) {
    for (const reference of task.dependsOn) {
      if (reference.includes(':') || ids.has(reference)) continue;
      problems.push({
        code: 'unknown-dependency',
        file,
        line: task.line,
        taskId: task.id,
        message: `task ${quote(task.id)} depends on ${quote(reference)}, which ${file} does not have (ids in a produced list refer to its own tasks; write project:task for another project's)`,
      });
    }
  }
  if (!problems.length) return { ok: true, tasks: parsed.tasks.map((task) => task.id) };
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatSpecProblem);
  if (problems.length > MAX_PROBLEMS_SHOWN) shown.push(`... and ${problems.length - MAX_PROBLEMS_SHOWN} more`);
  return { ok: false, message: `the task list ${analysis} wrote does not parse, so none of it runs:\n${shown.join('\n')}` };
}
