import { quote } from './bounded-text';
import { closedStatus, foreignPrompt, foreignTask, keptFields, readOwnFields, texts, workspacePaths } from './foreign-task';
import { projectNameProblem } from './path-safety';
import { parseStructured } from './parse-structured';
import type { ParsedSpecFile } from './parsed-spec-file';
import type { SourceDocument } from './source-document';
import { readEntryId } from './validate-entry';

/** Every name real decompositions use for "this task waits for those". */
const DEPENDENCY_FIELDS = ['dependencies', 'dependsOn', 'depends_on', 'blockedBy', 'blocked_by'] as const;
/** Fields whose text is the task's acceptance criteria. */
const ACCEPTANCE_FIELDS = ['acceptance', 'acceptanceCriteria', 'acceptance_criteria', 'done', 'testPlan', 'test_plan'] as const;
/** Per-task file lists: what the task will change, so its `writes`. */
const FILE_FIELDS = ['files', 'owns', 'file'] as const;
/** Fields read into the task itself (the rest are kept as written). */
const CONSUMED = new Set<string>(['id', 'subject', 'title', 'description', 'phase', 'phaseName', 'parallelWith', ...DEPENDENCY_FIELDS]);

interface Entry {
  value: unknown;
  path: Array<string | number>;
  /** The phase or batch the entry is nested in, for files grouped that way. */
  group?: { index: number; id?: string; name?: string };
}

/**
 * Parses a `03-tasks.json` decomposition, as spec-decomposition workflows write it. Read, not
 * judged: fields it does not map are kept; tasks may sit under `tasks`, `phases[].tasks` or
 * `batches[].tasks`, or the file may be a bare list. The prompt is the subject (or title), the
 * description and the acceptance criteria; dependencies become edges; `parallelWith` is kept so
 * the graph layer can check it. A task that names no dependency field in a file grouped into
 * phases or batches waits for the group before it, the only order such a file states.
 */
export function parseDecomposition(file: string, content: string): ParsedSpecFile {
  const result: ParsedSpecFile = { file, format: 'decomposition', tasks: [], problems: [] };
  const parsed = parseStructured(file, content, 'json');
  if (!parsed.ok) {
    result.problems.push(parsed.problem);
    return result;
  }
  const root = parsed.value;
  const entries = findEntries(root);
  if (!entries) {
    const found =
      root !== null && typeof root === 'object'
        ? `keys ${Object.keys(root)
            .slice(0, 10)
            .map((key) => quote(key, 30))
            .join(', ')}`
        : `a ${typeof root}`;
    const message = `not a task list: expected a "tasks" list, "phases" or "batches" each with a "tasks" list, or a bare list of tasks; found ${found}`;
    result.problems.push({ code: 'invalid-field', file, line: 1, message });
    return result;
  }
  const document = isMapping(root) ? root : {};
  readSlug(document, file, parsed.source, result);
  const spec = typeof document.spec === 'string' ? document.spec : typeof document.specFile === 'string' ? document.specFile : undefined;
  const context = spec ? `This task is part of the spec ${quote(spec, 200)}.` : undefined;

  const ids = new Set<string>();
  for (const entry of entries) {
    const id = isMapping(entry.value) ? entry.value.id : undefined;
    if (typeof id === 'string' || typeof id === 'number') ids.add(String(id));
  }
  const groupIds = new Map<number, string[]>();
  entries.forEach((entry, index) => {
    const label = `task #${index + 1}`;
    const line = parsed.source.lineOf(entry.path);
    const read = readEntryId(entry.value, { file, source: parsed.source, path: entry.path, label });
    if (!read.ok) {
      result.problems.push(read.problem);
      return;
    }
    const { id } = read;
    const task = entry.value as Record<string, unknown>;
    const own = readOwnFields(task, { file, source: parsed.source, path: entry.path, label }, id);
    if (!own.ok) {
      result.problems.push(...own.problems);
      return;
    }
    const title = firstString(task.subject, task.title);
    const body = typeof task.description === 'string' ? task.description : undefined;
    const acceptance = ACCEPTANCE_FIELDS.flatMap((name) => texts(task[name]));
    const verification = isMapping(task.verification) ? texts(task.verification.acceptance) : [];
    const prompt = foreignPrompt({ title, body, sections: [{ heading: 'Acceptance criteria', lines: [...acceptance, ...verification] }], context });
    if (!title && !body?.trim()) {
      const message = `task ${quote(id)} has no "subject", "title" or "description": one of them is its prompt`;
      result.problems.push({ code: 'missing-prompt', file, line, taskId: id, message });
      return;
    }
    const declared = DEPENDENCY_FIELDS.filter((name) => task[name] !== undefined);
    const dependsOn = declared.length ? declared.flatMap((name) => references(task[name], ids)) : previousGroup(entry, groupIds);
    if (entry.group) groupIds.set(entry.group.index, [...(groupIds.get(entry.group.index) ?? []), id]);
    const phase = task.phase ?? entry.group?.id;
    const phaseName = firstString(task.phaseName, entry.group?.name);
    result.tasks.push(
      foreignTask({
        id,
        prompt,
        description: title ?? body,
        dependsOn,
        writes: FILE_FIELDS.flatMap((name) => workspacePaths(task[name])),
        own: own.fields,
        file,
        line,
        format: 'decomposition',
        closed: closedStatus(task.status),
        extra: keptFields(task, CONSUMED),
        phase: typeof phase === 'string' || typeof phase === 'number' ? String(phase) : undefined,
        phaseName,
        parallelWith:
          task.parallelWith === undefined ? undefined : (Array.isArray(task.parallelWith) ? task.parallelWith : [task.parallelWith]).filter(isId).map(String),
      }),
    );
  });
  return result;
}

/** The task entries of any shape real decompositions have, or undefined when the file has none of them. */
function findEntries(root: unknown): Entry[] | undefined {
  if (Array.isArray(root)) return root.map((value, index) => ({ value, path: [index] }));
  if (!isMapping(root)) return undefined;
  if (Array.isArray(root.tasks)) return root.tasks.map((value, index) => ({ value, path: ['tasks', index] }));
  for (const key of ['phases', 'batches'] as const) {
    const groups = root[key];
    if (!Array.isArray(groups) || !groups.some((group) => isMapping(group) && Array.isArray(group.tasks))) continue;
    return groups.flatMap((group, groupIndex) => {
      if (!isMapping(group) || !Array.isArray(group.tasks)) return [];
      const id = isId(group.id) ? String(group.id) : isId(group.phase) ? String(group.phase) : String(groupIndex + 1);
      const name = firstString(group.title, group.name);
      return group.tasks.map((value, index) => ({ value, path: [key, groupIndex, 'tasks', index], group: { index: groupIndex, id, name } }));
    });
  }
  return undefined;
}

/** The slug names the project where no project file encloses the decomposition: never a path. */
function readSlug(document: Record<string, unknown>, file: string, source: SourceDocument, result: ParsedSpecFile): void {
  const slug = document.slug;
  if (slug === undefined) return;
  const problem = typeof slug === 'string' ? projectNameProblem(slug) : 'it is not a string';
  if (!problem) {
    result.slug = slug as string;
    return;
  }
  const shown = typeof slug === 'string' ? quote(slug) : String(typeof slug);
  const message = `"slug" ${shown} cannot name a project (${problem}); the project is named after its folder instead. Use letters, digits, "-", "_" and "."`;
  result.problems.push({ code: 'unsafe-name', file, line: source.lineOf(['slug']), message });
}

/**
 * Dependency references as written: ids (strings or numbers). A reference that is not an id of
 * this file but starts with one, followed by a note (`1.1 (for the smoke to go green)`), is that id.
 */
function references(value: unknown, ids: ReadonlySet<string>): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.filter(isId).map((item) => {
    const reference = String(item).trim();
    if (ids.has(reference)) return reference;
    const leading = reference.split(/\s/, 1)[0];
    return leading !== reference && ids.has(leading) ? leading : reference;
  });
}

function previousGroup(entry: Entry, groupIds: ReadonlyMap<number, string[]>): string[] {
  if (!entry.group) return [];
  for (let index = entry.group.index - 1; index >= 0; index--) {
    const ids = groupIds.get(index);
    if (ids?.length) return ids;
  }
  return [];
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value.trim()) return value.trim();
  return undefined;
}

function isId(value: unknown): value is string | number {
  return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
