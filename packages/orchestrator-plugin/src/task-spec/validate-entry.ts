import type { z } from 'zod';
import { preview, quote } from './bounded-text';
import { didYouMean } from './closest-match';
import { TASK_ID_PATTERN, TASK_ID_RULE, type TaskFields, type TaskSpec, type SpecFormat } from './schema';
import type { SourceDocument } from './source-document';
import type { SpecProblem } from './spec-error';

type Path = readonly (string | number)[];

/**
 * Extra attempts on transient failures (rate limits, overload, 5xx, timeouts, cut streams)
 * when a task says nothing. Never spent on auth errors, bad requests or permission denials.
 */
export const DEFAULT_RETRIES = 2;

/** Unknown fields named one by one per entry; the rest are counted in one more problem. */
const MAX_UNKNOWN_FIELDS_NAMED = 10;

/** Where an entry sits, so its problems name the file, the line and the task. */
export interface EntryLocation {
  file: string;
  source: SourceDocument;
  /** Path of the entry inside the document (`['tasks', 3]`, or `[]` for a frontmatter). */
  path: Path;
  /** What to call the entry in messages when its id is unknown: `task #4`. */
  label: string;
  /** What the entry must be, for the message when it is not a mapping; default `a mapping of fields`. */
  expected?: string;
}

/**
 * Validates one entry against `schema`. Returns the parsed value, or the problems (in line
 * order), each with its line and, for an unknown field, the closest field name the schema knows.
 */
export function validateEntry<Schema extends z.ZodObject>(
  schema: Schema,
  value: unknown,
  location: EntryLocation,
  taskId?: string,
): { ok: true; value: z.output<Schema> } | { ok: false; problems: SpecProblem[] } {
  if (!isMapping(value)) {
    const line = location.source.lineOf(location.path);
    const message = `${location.label} must be ${location.expected ?? 'a mapping of fields'}, not ${describe(value)}`;
    return { ok: false, problems: [{ code: 'invalid-field', file: location.file, line, taskId, message }] };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const problems: SpecProblem[] = [];
  const where = taskId ? `task ${quote(taskId)}` : location.label;
  for (const issue of result.error.issues) {
    const issuePath = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const fields = fieldNamesAt(schema, issuePath);
      const owner = issuePath.length ? `${quote(issuePath.join('.'))} of ${where}` : where;
      for (const key of issue.keys.slice(0, MAX_UNKNOWN_FIELDS_NAMED)) {
        const line = location.source.lineOf([...location.path, ...issuePath, key]);
        const hint = didYouMean(key, fields) || (fields.length ? ` Known fields: ${fields.join(', ')}.` : '');
        problems.push({ code: 'unknown-field', file: location.file, line, taskId, message: `unknown field ${quote(key)} in ${owner}.${hint}` });
      }
      const unnamed = issue.keys.length - MAX_UNKNOWN_FIELDS_NAMED;
      if (unnamed > 0) {
        const line = location.source.lineOf([...location.path, ...issuePath]);
        const message = `${unnamed.toLocaleString('en-US')} more unknown fields in ${owner}. Known fields: ${fields.join(', ')}.`;
        problems.push({ code: 'unknown-field', file: location.file, line, taskId, message });
      }
      continue;
    }
    const line = location.source.lineOf([...location.path, ...issuePath]);
    const received = valueAt(value, issuePath);
    const name = issuePath.join('.').slice(0, 80);
    const message =
      issue.code === 'invalid_type' && received === undefined && issuePath.length
        ? `${where} has no "${name}" field: it must be ${expectedType(issue.expected)}`
        : `${issuePath.length ? `field "${name}" of ${where}` : where}: ${issueText(issue, received)}`;
    problems.push({ code: 'invalid-field', file: location.file, line, taskId, message });
  }
  return { ok: false, problems: problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

/** The id check every format shares: ids become target and folder names. */
export function checkTaskId(id: string, file: string, line: number | undefined): SpecProblem | undefined {
  if (TASK_ID_PATTERN.test(id)) return undefined;
  return { code: 'invalid-id', file, line, message: `task id ${quote(id)} is not a valid target name: use ${TASK_ID_RULE}` };
}

/**
 * Reads the id of one entry of a task list or decomposition, or the problem that stops the entry
 * from being read: not a mapping, no id, or an id that is not a valid target name. Duplicate ids
 * are left to the graph layer, which sees every file of a project.
 */
export function readEntryId(entry: unknown, location: EntryLocation): { ok: true; id: string } | { ok: false; problem: SpecProblem } {
  const { file, source, path, label } = location;
  const line = source.lineOf(path);
  if (!isMapping(entry)) {
    return { ok: false, problem: { code: 'invalid-field', file, line, message: `${label} must be a mapping of task fields, not ${describe(entry)}` } };
  }
  const rawId = entry.id;
  if (typeof rawId !== 'string' && typeof rawId !== 'number') {
    const problem: SpecProblem =
      rawId === undefined || rawId === null
        ? { code: 'invalid-id', file, line, message: `${label} has no "id": every task in this file needs one` }
        : {
            code: 'invalid-id',
            file,
            line: source.lineOf([...path, 'id']),
            message: `${label} has an "id" that is ${describe(rawId)}: write a string such as "write-api"`,
          };
    return { ok: false, problem };
  }
  const id = String(rawId);
  const idProblem = checkTaskId(id, file, source.lineOf([...path, 'id']));
  return idProblem ? { ok: false, problem: idProblem } : { ok: true, id };
}

/**
 * Turns validated fields into a {@link TaskSpec}: resolves the dependsOn aliases (only one may
 * be used), applies defaults (`writes` = `outputs`, `cache` on, no retries).
 */
export function normalizeTask(
  fields: Omit<TaskFields, 'id'>,
  extra: { id: string; prompt: string; file: string; line?: number; format: SpecFormat; source: SourceDocument; path: Path },
): { ok: true; task: TaskSpec } | { ok: false; problem: SpecProblem } {
  const given = (['dependsOn', 'blockedBy', 'dependencies'] as const).filter((name) => fields[name] !== undefined);
  if (given.length > 1) {
    const line = extra.source.lineOf([...extra.path, given[1]]);
    return {
      ok: false,
      problem: {
        code: 'invalid-field',
        file: extra.file,
        line,
        taskId: extra.id,
        message: `task ${quote(extra.id)} lists dependencies in both "${given[0]}" and "${given[1]}": use one (blockedBy and dependencies are aliases of dependsOn)`,
      },
    };
  }
  if (fields.forEach && fields.produces !== undefined) {
    return {
      ok: false,
      problem: {
        code: 'invalid-field',
        file: extra.file,
        line: extra.source.lineOf([...extra.path, 'produces']),
        taskId: extra.id,
        message: `task ${quote(extra.id)} is a forEach template and produces a task list: a template cannot produce one (let a task after its workers produce it)`,
      },
    };
  }
  const dependsOn = given.length ? (fields[given[0]] as string[]) : [];
  // The produced list is an output (the cache restores it with the record) and something the agent may write.
  const produced = fields.produces === undefined ? [] : [fields.produces];
  const outputs = withAdded(fields.outputs ?? [], produced);
  return {
    ok: true,
    task: {
      id: extra.id,
      description: fields.description,
      prompt: extra.prompt,
      agent: fields.agent,
      model: fields.model,
      dependsOn: unique(dependsOn),
      after: unique(fields.after ?? []),
      inputs: fields.inputs ?? [],
      outputs,
      writes: fields.writes ? withAdded(fields.writes, produced) : outputs,
      retries: fields.retries ?? DEFAULT_RETRIES,
      timeoutMs: fields.timeout,
      cache: fields.cache ?? true,
      ...(fields.maxCost !== undefined ? { maxCost: fields.maxCost } : {}),
      ...(fields.maxTokens !== undefined ? { maxTokens: fields.maxTokens } : {}),
      script: fields.script,
      ...definedVerificationFields(fields),
      ...(fields.forEach ? { forEach: fields.forEach } : {}),
      ...(fields.produces !== undefined ? { produces: fields.produces } : {}),
      file: extra.file,
      line: extra.line,
      format: extra.format,
    },
  };
}

/** The verify and isolation fields the entry sets, and no keys for those it does not. */
function definedVerificationFields(fields: Omit<TaskFields, 'id'>): Pick<TaskSpec, 'verify' | 'verifyAttempts' | 'isolation' | 'writeViolations'> {
  const { verify, verifyAttempts, isolation, writeViolations } = fields;
  return Object.fromEntries(Object.entries({ verify, verifyAttempts, isolation, writeViolations }).filter(([, value]) => value !== undefined));
}

/** `values` with each of `added` appended unless already there. */
function withAdded(values: readonly string[], added: readonly string[]): string[] {
  return [...values, ...added.filter((value) => !values.includes(value))];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

/** The value an issue is about, to show the user what was written. */
function valueAt(value: unknown, path: Path): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function expectedType(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

/** A zod issue as a sentence that says what was expected and what was written. */
function issueText(issue: z.core.$ZodIssue, received: unknown): string {
  const got = `, got ${preview(received)}`;
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${expectedType(issue.expected)}${got}`;
    case 'invalid_union': {
      // A union of schema.ts names what it accepts in its `error`; otherwise each branch's first issue says what it wanted.
      if (issue.message !== 'Invalid input') return `expected ${issue.message}${got}`;
      const wanted = issue.errors.map((branch) => {
        const first = branch[0];
        if (first?.code !== 'invalid_type') return undefined;
        if (first.path.length === 0) return expectedType(first.expected);
        return first.path.length === 1 && typeof first.path[0] === 'number' ? `a list of ${first.expected}s` : undefined;
      });
      return wanted.every(Boolean) ? `expected ${[...new Set(wanted)].join(' or ')}${got}` : `${issue.message}${got}`;
    }
    case 'too_big':
      return `expected at most ${String(issue.maximum)}${got}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1
        ? `expected a non-empty string${got}`
        : `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}${got}`;
    default:
      return issue.message.slice(0, 300);
  }
}

/** The field names the schema accepts at `path` (nested objects such as `script`), for suggestions. */
function fieldNamesAt(schema: z.ZodObject, path: Path): string[] {
  let current: unknown = schema;
  for (const segment of path) {
    const shape = (unwrap(current) as { shape?: Record<string, unknown> } | undefined)?.shape;
    if (!shape || typeof segment !== 'string') return [];
    current = shape[segment];
  }
  const shape = (unwrap(current) as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Looks through `.optional()` and the like to the schema underneath. */
function unwrap(schema: unknown): unknown {
  let current = schema as { unwrap?: () => unknown } | undefined;
  while (current && typeof current.unwrap === 'function') current = current.unwrap() as typeof current;
  return current;
}
