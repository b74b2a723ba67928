import { quote } from './bounded-text';
import { closedStatus, foreignPrompt, foreignTask, keptFields, readOwnFields, texts, workspacePaths } from './foreign-task';
import { parseStructured } from './parse-structured';
import type { ParsedSpecFile } from './parsed-spec-file';
import { TASK_ID_PATTERN, type TaskSpec } from './schema';
import type { SourceDocument } from './source-document';
import { checkTaskId } from './validate-entry';

/** The tag task-master uses when a file has no tags; its tasks keep their bare ids. */
const MASTER_TAG = 'master';
const CONSUMED = new Set([
  'id',
  'title',
  'description',
  'status',
  'dependencies',
  'details',
  'testStrategy',
  'subtasks',
  'acceptanceCriteria',
  'relevantFiles',
]);

interface TagTasks {
  tag: string;
  tasks: unknown[];
  path: Array<string | number>;
}

type Raw = Record<string, unknown>;

/**
 * Parses claude-task-master's `tasks.json` (`.taskmaster/tasks/tasks.json`, older
 * `tasks/tasks.json`): plain `{ tasks, metadata }` or tag-keyed `{ "master": { tasks, metadata },
 * "<tag>": {...} }`. One project per file; tasks of the `master` tag keep their ids, tasks of
 * another tag are `<tag>--<id>`. A task with subtasks is carried out by them: subtask `<id>.<n>`
 * runs after the siblings it lists (`2` or `"1.2"`) and after its parent's dependencies, and the
 * parent's target waits for all of them. `done` and `cancelled` tasks are shown, never run. A file
 * at these paths that is another tool's format is named as such and read as no tasks.
 */
export function parseTaskMaster(file: string, content: string): ParsedSpecFile {
  // Outside any project, `.taskmaster/tasks/tasks.json` makes a project named `taskmaster`, not `tasks`.
  const result: ParsedSpecFile = {
    file,
    format: 'task-master',
    tasks: [],
    problems: [],
    ...(file.split('/').includes('.taskmaster') ? { slug: 'taskmaster' } : {}),
  };
  const parsed = parseStructured(file, content, 'json');
  if (!parsed.ok) {
    result.problems.push(parsed.problem);
    return result;
  }
  const tags = findTags(parsed.value);
  if (typeof tags === 'string') {
    const message = `not a task-master task list (${tags}): another tool's file at a task-master path, read as no tasks`;
    result.notes = [{ code: 'other-format', file, message }];
    return result;
  }
  for (const { tag, tasks, path } of tags) {
    const prefix = tag === MASTER_TAG ? '' : `${tag}--`;
    if (prefix && !TASK_ID_PATTERN.test(tag)) {
      const message = `tag ${quote(tag)} cannot be part of a target name (use letters, digits, ".", "_" and "-"): its ${tasks.length} tasks are not read`;
      result.problems.push({ code: 'invalid-id', file, line: parsed.source.lineOf([tag]), message });
      continue;
    }
    readTag({ file, source: parsed.source, tasks, path, prefix, result });
  }
  return result;
}

/** The tags of a task-master file, or why it is not one. */
function findTags(root: unknown): TagTasks[] | string {
  if (!isMapping(root)) return Array.isArray(root) ? 'the file is a list' : `the file is a ${root === null ? 'null' : typeof root}`;
  const keys = Object.keys(root);
  const looksLikeTasks = (tasks: unknown[]) => tasks.length === 0 || tasks.some((task) => isMapping(task) && isId(task.id) && typeof task.title === 'string');
  if (keys.every((key) => key === 'tasks' || key === 'metadata') && Array.isArray(root.tasks)) {
    return looksLikeTasks(root.tasks) ? [{ tag: MASTER_TAG, tasks: root.tasks, path: ['tasks'] }] : 'its tasks have no "id" and "title"';
  }
  const tags = keys.map((key) => ({ key, value: root[key] }));
  if (tags.length && tags.every(({ value }) => isMapping(value) && Array.isArray(value.tasks))) {
    const found = tags.map(({ key, value }) => ({ tag: key, tasks: (value as Raw).tasks as unknown[], path: [key, 'tasks'] }));
    return found.every(({ tasks }) => looksLikeTasks(tasks)) ? found : 'its tasks have no "id" and "title"';
  }
  return `expected { "tasks": [...] } or { "<tag>": { "tasks": [...] } }, found keys ${keys
    .slice(0, 6)
    .map((key) => quote(key, 30))
    .join(', ')}`;
}

function readTag(request: {
  file: string;
  source: SourceDocument;
  tasks: unknown[];
  path: Array<string | number>;
  prefix: string;
  result: ParsedSpecFile;
}): void {
  const { file, source, tasks, path, prefix, result } = request;
  const topIds = new Set(tasks.filter(isMapping).flatMap((task) => (isId(task.id) ? [String(task.id)] : [])));
  tasks.forEach((value, index) => {
    const entryPath = [...path, index];
    const line = source.lineOf(entryPath);
    if (!isMapping(value) || !isId(value.id)) {
      const message = `task #${index + 1} ${isMapping(value) ? 'has no "id"' : 'is not a mapping of task fields'}: every task-master task needs an id`;
      result.problems.push({ code: 'invalid-id', file, line, message });
      return;
    }
    const id = `${prefix}${String(value.id)}`;
    const read = readTask({ file, source, task: value, id, path: entryPath, line });
    if (!read) return;
    const subtasks = Array.isArray(value.subtasks) ? value.subtasks : [];
    const parentDependencies = references(value.dependencies).map((reference) => `${prefix}${reference}`);
    const parentClosed = closedStatus(value.status);
    const subtaskSpecs: TaskSpec[] = [];
    const siblings = new Set(subtasks.filter(isMapping).flatMap((subtask) => (isId(subtask.id) ? [String(subtask.id)] : [])));
    subtasks.forEach((subtask, subIndex) => {
      const subPath = [...entryPath, 'subtasks', subIndex];
      const subLine = source.lineOf(subPath);
      if (!isMapping(subtask) || !isId(subtask.id)) {
        const message = `subtask #${subIndex + 1} of task ${quote(id)} has no "id": every subtask needs one`;
        result.problems.push({ code: 'invalid-id', file, line: subLine, taskId: id, message });
        return;
      }
      const subId = `${id}.${String(subtask.id)}`;
      const own = references(subtask.dependencies).map((reference) =>
        reference.includes('.') ? `${prefix}${reference}` : siblings.has(reference) || !topIds.has(reference) ? `${id}.${reference}` : `${prefix}${reference}`,
      );
      const context = `This is subtask ${subId} of task ${id}: ${quote(String(value.title ?? ''), 200)}.${typeof value.description === 'string' ? ` ${value.description}` : ''}`;
      const spec = readTask({
        file,
        source,
        task: subtask,
        id: subId,
        path: subPath,
        line: subLine,
        dependsOn: [...parentDependencies, ...own],
        context,
        closed: closedStatus(subtask.status) ?? parentClosed,
      });
      if (spec) subtaskSpecs.push(spec);
    });
    // A task with subtasks is carried out by them: its own target only waits for them.
    const subtaskIds = subtaskSpecs.map((spec) => spec.id);
    result.tasks.push(subtaskIds.length ? { ...read, dependsOn: subtaskIds, subtasks: subtaskIds } : read, ...subtaskSpecs);
  });

  function readTask(parts: {
    file: string;
    source: SourceDocument;
    task: Raw;
    id: string;
    path: Array<string | number>;
    line?: number;
    dependsOn?: string[];
    context?: string;
    closed?: string;
  }): TaskSpec | undefined {
    const idProblem = checkTaskId(parts.id, parts.file, parts.line);
    if (idProblem) {
      result.problems.push(idProblem);
      return undefined;
    }
    const { task } = parts;
    const label = `task ${quote(parts.id)}`;
    const own = readOwnFields(task, { file: parts.file, source: parts.source, path: parts.path, label }, parts.id);
    if (!own.ok) {
      result.problems.push(...own.problems);
      return undefined;
    }
    const title = typeof task.title === 'string' ? task.title : undefined;
    const body = typeof task.description === 'string' ? task.description : undefined;
    const prompt = foreignPrompt({
      title,
      body,
      sections: [
        { heading: 'Details', lines: texts(task.details).map((text) => `${text}\n`) },
        { heading: 'Test strategy', lines: texts(task.testStrategy).map((text) => `${text}\n`) },
        { heading: 'Acceptance criteria', lines: texts(task.acceptanceCriteria) },
      ],
      context: parts.context,
    });
    if (!title?.trim() && !body?.trim()) {
      result.problems.push({
        code: 'missing-prompt',
        file: parts.file,
        line: parts.line,
        taskId: parts.id,
        message: `task ${quote(parts.id)} has no "title" or "description": one of them is its prompt`,
      });
      return undefined;
    }
    const relevant = Array.isArray(task.relevantFiles) ? task.relevantFiles.filter((entry) => isMapping(entry) && entry.action !== 'reference') : [];
    const spec = foreignTask({
      id: parts.id,
      prompt,
      description: title ?? body,
      dependsOn: parts.dependsOn ?? references(task.dependencies).map((reference) => `${prefix}${reference}`),
      writes: workspacePaths(relevant),
      own: own.fields,
      file: parts.file,
      line: parts.line,
      format: 'task-master',
      closed: parts.closed ?? closedStatus(task.status),
      extra: keptFields(task, CONSUMED),
    });
    return spec;
  }
}

/** Dependency ids as written: numbers and strings, each as a string. */
function references(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(isId).map((item) => String(item).trim());
}

function isId(value: unknown): value is string | number {
  return (typeof value === 'string' && value.trim() !== '') || (typeof value === 'number' && Number.isFinite(value));
}

function isMapping(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
