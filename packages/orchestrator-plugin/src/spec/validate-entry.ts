import type { z } from 'zod';
import { didYouMean } from './closest-match';
import { TASK_ID_PATTERN, TASK_ID_RULE, type TaskFields, type TaskSpec, type SpecFormat } from './schema';
import type { SourceDocument } from './source-document';
import type { SpecProblem } from './spec-error';

type Path = readonly (string | number)[];

/** Where an entry sits, so its problems name the file, the line and the task. */
export interface EntryLocation {
  file: string;
  source: SourceDocument;
  /** Path of the entry inside the document (`['tasks', 3]`, or `[]` for a frontmatter). */
  path: Path;
  /** What to call the entry in messages when its id is unknown: `task #4`. */
  label: string;
}

/**
 * Validates one entry against `schema`. Returns the parsed value, or the problems, each
 * with its line and, for an unknown field, the closest field name the schema knows.
 */
export function validateEntry<Schema extends z.ZodObject>(
  schema: Schema,
  value: unknown,
  location: EntryLocation,
  taskId?: string,
): { ok: true; value: z.output<Schema> } | { ok: false; problems: SpecProblem[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const line = location.source.lineOf(location.path);
    return { ok: false, problems: [{ code: 'invalid-field', file: location.file, line, taskId, message: `${location.label} must be a mapping of fields, not ${describe(value)}` }] };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const known = Object.keys(schema.shape);
  const problems: SpecProblem[] = [];
  const where = taskId ? `task "${taskId}"` : location.label;
  for (const issue of result.error.issues) {
    const issuePath = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const fields = issuePath.length === 0 ? known : undefined;
      for (const key of issue.keys) {
        const line = location.source.lineOf([...location.path, ...issuePath, key]);
        const hint = fields ? didYouMean(key, fields) : '';
        const owner = issuePath.length ? `"${issuePath.join('.')}" of ${where}` : where;
        problems.push({ code: 'unknown-field', file: location.file, line, taskId, message: `unknown field "${key}" in ${owner}.${hint}` });
      }
      continue;
    }
    const line = location.source.lineOf([...location.path, ...issuePath]);
    const field = issuePath.length ? `field "${issuePath.join('.')}" of ${where}` : where;
    problems.push({ code: 'invalid-field', file: location.file, line, taskId, message: `${field}: ${issue.message}` });
  }
  return { ok: false, problems };
}

/** The id check every format shares: ids become target and folder names. */
export function checkTaskId(id: string, file: string, line: number | undefined): SpecProblem | undefined {
  if (TASK_ID_PATTERN.test(id)) return undefined;
  return { code: 'invalid-id', file, line, message: `task id "${id}" is not a valid target name: use ${TASK_ID_RULE}` };
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
      problem: { code: 'invalid-field', file: extra.file, line, taskId: extra.id, message: `task "${extra.id}" lists dependencies in both "${given[0]}" and "${given[1]}": use one (blockedBy and dependencies are aliases of dependsOn)` },
    };
  }
  const dependsOn = given.length ? (fields[given[0]] as string[]) : [];
  const outputs = fields.outputs ?? [];
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
      writes: fields.writes ?? outputs,
      retries: fields.retries ?? 0,
      timeoutMs: fields.timeout,
      cache: fields.cache ?? true,
      script: fields.script,
      file: extra.file,
      line: extra.line,
      format: extra.format,
    },
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
