import { z } from 'zod';
import { truncate } from './bounded-text';
import { taskFieldsSchema, type TaskSpec, type SpecFormat } from './schema';
import type { SourceDocument } from './source-document';
import type { SpecProblem } from './spec-error';
import { DEFAULT_RETRIES, validateEntry } from './validate-entry';

/**
 * What the readers of formats written by other tools (`03-tasks.json`, task-master `tasks.json`,
 * spec-kit `tasks.md`) share. Those files are read, not judged: a field the plugin does not map is
 * kept as written, never an error; only what makes a task unrunnable is a problem.
 */

/** The plugin's own task fields, honoured in any format, and checked strictly since they are ours. */
const OWN_FIELDS = [
  'agent',
  'model',
  'after',
  'inputs',
  'outputs',
  'writes',
  'retries',
  'timeout',
  'cache',
  'script',
  'verify',
  'verifyAttempts',
  'isolation',
  'writeViolations',
  'maxCost',
  'maxTokens',
] as const;
const ownFieldsSchema = taskFieldsSchema.pick(Object.fromEntries(OWN_FIELDS.map((name) => [name, true])) as { [Name in (typeof OWN_FIELDS)[number]]: true });
export type OwnFields = z.output<typeof ownFieldsSchema>;

const VERIFICATION_FIELDS = ['verify', 'verifyAttempts', 'isolation', 'writeViolations'] as const;

/** Statuses that mean the work is finished: the task is shown, never run. */
const CLOSED_STATUSES = new Set(['done', 'completed', 'complete', 'cancelled', 'canceled', 'closed']);

/** The status as written when it closes the task, else undefined. */
export function closedStatus(status: unknown): string | undefined {
  return typeof status === 'string' && CLOSED_STATUSES.has(status.trim().toLowerCase()) ? status.trim() : undefined;
}

/**
 * The plugin's own fields of a foreign entry (`agent`, `script`, `timeout`, ...), validated as in
 * our formats; every other field is left alone.
 */
export function readOwnFields(
  entry: Record<string, unknown>,
  location: { file: string; source: SourceDocument; path: readonly (string | number)[]; label: string },
  taskId: string,
): { ok: true; fields: OwnFields } | { ok: false; problems: SpecProblem[] } {
  const own = Object.fromEntries(OWN_FIELDS.filter((name) => Object.hasOwn(entry, name)).map((name) => [name, entry[name]]));
  const validated = validateEntry(ownFieldsSchema, own, location, taskId);
  return validated.ok ? { ok: true, fields: validated.value } : validated;
}

/** The longest kept value, as JSON: larger ones are replaced by a note (the spec file has them). */
const MAX_KEPT_VALUE_LENGTH = 2_000;

/**
 * The fields of `entry` not in `consumed`, kept for target metadata and the run record: plain
 * JSON, each value at most {@link MAX_KEPT_VALUE_LENGTH} characters as JSON. Undefined when none.
 */
export function keptFields(entry: Record<string, unknown>, consumed: ReadonlySet<string>): Record<string, unknown> | undefined {
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) {
    if (consumed.has(key) || (OWN_FIELDS as readonly string[]).includes(key)) continue;
    const value = entry[key];
    if (value === undefined) continue;
    // Parsed input is plain data (the spec layer refuses cycles and deep nesting before this runs).
    const json = JSON.stringify(value) ?? 'null';
    const name = key.length > 100 ? `${key.slice(0, 100)}...` : key;
    kept[name] =
      json.length <= MAX_KEPT_VALUE_LENGTH ? (JSON.parse(json) as unknown) : `(${json.length.toLocaleString('en-US')} characters: see the spec file)`;
  }
  return Object.keys(kept).length ? kept : undefined;
}

/**
 * Workspace paths from a per-task file list (`files`, `owns`, `relevantFiles`): strings, or
 * objects with a `path`. Entries that are prose, not paths (`(scripts under the scratchpad)`),
 * absolute, or with a `..` segment are left out (they stay in the kept fields); a trailing note
 * after a path (`src/team.ts (wiring only)`) is dropped.
 */
export function workspacePaths(value: unknown): string[] {
  const items = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const paths: string[] = [];
  for (const item of items) {
    const raw = typeof item === 'string' ? item : item !== null && typeof item === 'object' ? (item as { path?: unknown }).path : undefined;
    if (typeof raw !== 'string' || raw.length > 500) continue;
    const path = raw.trim().split(/\s+\(/, 1)[0].replace(/^\.\//, '');
    if (!path || /\s/.test(path) || path.startsWith('(') || path.startsWith('/') || path.includes('://') || path.includes('\\')) continue;
    if (path.split('/').some((segment) => segment === '..')) continue;
    paths.push(`{workspaceRoot}/${path}`);
  }
  return [...new Set(paths)];
}

/** Strings from a field that holds text or a list of texts (`acceptance`, `testPlan`, `done`). */
export function texts(value: unknown): string[] {
  if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim());
  return [];
}

/** The prompt of a foreign task: a heading, the body, then the acceptance criteria and context, in that order. */
export function foreignPrompt(parts: { title?: string; body?: string; sections?: Array<{ heading: string; lines: string[] }>; context?: string }): string {
  const blocks = [parts.title?.trim() && `# ${parts.title.trim()}`, parts.body?.trim()];
  for (const section of parts.sections ?? []) {
    if (!section.lines.length) continue;
    blocks.push(`## ${section.heading}\n\n${section.lines.map((line) => (line.includes('\n') ? line : `- ${line}`)).join('\n')}`);
  }
  if (parts.context) blocks.push(parts.context);
  return blocks.filter(Boolean).join('\n\n').trim();
}

/** A {@link TaskSpec} from a foreign entry: its own fields applied over the defaults. */
export function foreignTask(parts: {
  id: string;
  prompt: string;
  description?: string;
  dependsOn: string[];
  writes?: string[];
  own: OwnFields;
  file: string;
  line?: number;
  format: SpecFormat;
  closed?: string;
  extra?: Record<string, unknown>;
  phase?: string;
  phaseName?: string;
  parallelWith?: string[];
}): TaskSpec {
  const { own } = parts;
  const outputs = own.outputs ?? [];
  const writes = [...new Set([...(own.writes ?? outputs), ...(parts.writes ?? [])])];
  return {
    id: parts.id,
    description: parts.description === undefined ? undefined : truncate(parts.description.split('\n')[0].trim(), 200),
    prompt: parts.prompt,
    agent: own.agent,
    model: own.model,
    dependsOn: [...new Set(parts.dependsOn)],
    after: [...new Set(own.after ?? [])],
    inputs: own.inputs ?? [],
    outputs,
    writes,
    retries: own.retries ?? DEFAULT_RETRIES,
    timeoutMs: own.timeout,
    cache: own.cache ?? true,
    script: own.script,
    ...(own.maxCost !== undefined ? { maxCost: own.maxCost } : {}),
    ...(own.maxTokens !== undefined ? { maxTokens: own.maxTokens } : {}),
    ...Object.fromEntries(VERIFICATION_FIELDS.flatMap((name) => (own[name] === undefined ? [] : [[name, own[name]]]))),
    ...(parts.parallelWith ? { parallelWith: parts.parallelWith } : {}),
    ...(parts.phase !== undefined ? { phase: parts.phase, phaseName: parts.phaseName } : {}),
    ...(parts.closed ? { closed: parts.closed } : {}),
    ...(parts.extra ? { extra: parts.extra } : {}),
    file: parts.file,
    line: parts.line,
    format: parts.format,
  };
}
