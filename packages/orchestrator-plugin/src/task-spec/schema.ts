import { z } from 'zod';
import { parseDuration } from './duration';
import { parseVerifyCheck } from './verify-check';
import { isTaskListFile, PRODUCED_LIST_NAMES } from './spec-format';

/**
 * The single source of truth for task-spec fields. Every format (`*.agent.md` frontmatter,
 * `agent-tasks.{json,yaml,yml}`, `03-tasks.json`) is validated by a schema built here, and
 * every normalized task has the shape of {@link TaskSpec}.
 */

/** Task ids become target names (`agent--<id>`) and folder names (`.agent-runs/<project>/<id>`). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const TASK_ID_RULE = 'letters, digits, ".", "_" and "-", starting with a letter or digit';

// A union's `error` is the noun phrase for what it accepts: messages read `expected <error>, got ...`.
const stringList = z
  .union([z.string(), z.array(z.string())], { error: 'a string or a list of strings' })
  .transform((value) => (typeof value === 'string' ? [value] : value));

const duration = z.union([z.string(), z.number()], { error: 'a duration such as 15m or a number of seconds' }).transform((value, context) => {
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined) {
    context.addIssue({ code: 'custom', message: `"${value}" is not a duration: write e.g. 90s, 15m, 1h30m or a number of seconds` });
    return z.NEVER;
  }
  return milliseconds;
});

/** What the built-in `scripted` agent does instead of calling a model. */
const scriptFiles = z
  .record(z.string(), z.string())
  .optional()
  .describe('Files it writes: path (relative to the project root, or starting with {workspaceRoot}/) -> content');

export const scriptSchema = z.strictObject({
  duration: duration.optional().describe('How long the scripted agent works before it answers'),
  summary: z.string().optional().describe('The final summary it reports (handed to dependent tasks)'),
  files: scriptFiles,
  followUps: z
    .array(z.strictObject({ summary: z.string().optional(), files: scriptFiles }))
    .optional()
    .describe('What it does in each verify follow-up turn: the first entry in the first follow-up, ...; the last one repeats'),
  failAttempts: z.number().int().min(0).optional().describe('How many attempts fail with a transient error before one succeeds'),
  fail: z.string().optional().describe('Fail every attempt with this message (a permanent error)'),
});
export type ScriptSpec = z.output<typeof scriptSchema>;

/** Like `stringList`, but a number is the task id it spells: ids may be numbers (`"id": 2`), so references may be too. */
const taskIdList = z.preprocess((value) => (Array.isArray(value) ? value.map(numberToString) : numberToString(value)), stringList);

function numberToString(value: unknown): unknown {
  return typeof value === 'number' ? String(value) : value;
}

/** Agent attempts a task gets for its `verify` checks to pass, the first included. */
export const DEFAULT_VERIFY_ATTEMPTS = 2;

/** `verify`: each entry must be a runnable check (see verify-check), reported at graph time with its file and line. */
const verifyChecks = stringList.superRefine((entries, context) => {
  for (const entry of entries) {
    const parsed = parseVerifyCheck(entry);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.message });
  }
});

/** Verify gates and isolation: the same fields in a task and in a profile (a task's own win). */
export const verificationFields = {
  verify: verifyChecks.optional().describe('Checks run after the agent: shell commands or nx:<project>:<target>; a failure goes back to the agent'),
  verifyAttempts: z
    .number()
    .int()
    .min(1)
    .max(10)
    .optional()
    .describe(`Agent attempts for the checks to pass, the first included (default ${DEFAULT_VERIFY_ATTEMPTS})`),
  isolation: z
    .enum(['shared', 'worktree'])
    .optional()
    .describe('worktree: the agent works in its own git worktree, and only changes inside writes come back (default shared)'),
  writeViolations: z
    .enum(['fail', 'warn'])
    .optional()
    .describe('A change outside writes fails the task or is only reported (default: fail in a worktree, warn in the shared checkout)'),
};
/**
 * One template, many workers: over projects (by `tag:<tag>` or a name pattern) or over files (a
 * glob relative to the task's project, like `inputs`). Exactly one of the two.
 */
export const forEachSchema = z
  .strictObject({
    projects: stringList.optional().describe('Projects to fan out over: `tag:<tag>` or a name pattern such as `lib-*`; one worker per project, placed in it'),
    files: stringList.optional().describe('Files to fan out over: globs relative to the project root; one worker per file'),
  })
  .refine((value) => (value.projects === undefined) !== (value.files === undefined), { message: 'forEach takes exactly one of "projects" or "files"' });
export type ForEachSpec = z.output<typeof forEachSchema>;

/**
 * `produces`: the task list an analysis task writes, for the same invocation to run (see
 * docs/fan-out.md). One file, relative to the project like `outputs`, in a list format the
 * plugin reads; that it stays inside the workspace is checked by the graph layer, which knows
 * the project's root.
 */
const producedFile = z.string().superRefine((path, context) => {
  const body = path.replace(/^\{(projectRoot|workspaceRoot)\}\//, '');
  if (body.trim() === '') context.addIssue({ code: 'custom', message: 'expected the path of a task list file, such as plan/agent-tasks.json' });
  else if (/[*?[\]{}!]/.test(body))
    context.addIssue({ code: 'custom', message: `"${path.slice(0, 200)}" is a pattern: produces names one file, such as plan/agent-tasks.json` });
  else if (!isTaskListFile(body))
    context.addIssue({ code: 'custom', message: `"${path.slice(0, 200)}" is not a task list the plugin reads: name the file ${PRODUCED_LIST_NAMES}` });
});

const dependencyFields = {
  dependsOn: taskIdList.optional().describe('Tasks that must finish first: `task` (same project) or `project:task`'),
  blockedBy: taskIdList.optional().describe('Alias of dependsOn'),
  dependencies: taskIdList.optional().describe('Alias of dependsOn'),
};

/** Fields shared by a `*.agent.md` frontmatter and an `agent-tasks` entry. */
export const taskFieldsSchema = z.strictObject({
  id: z.union([z.string(), z.number()]).transform(String).optional().describe('Task id; default: the file name without .agent.md'),
  description: z.string().optional(),
  agent: z.string().min(1).optional().describe('A profile name or a provider id'),
  model: z.string().min(1).optional().describe("Override of the profile's model"),
  ...dependencyFields,
  after: stringList.optional().describe('Plain Nx targets of the same project that must finish first'),
  inputs: stringList.optional().describe('Context files: given to the agent and part of the cache key'),
  outputs: stringList.optional().describe('What the task produces: restored from the cache on a hit'),
  writes: stringList.optional().describe('What the agent may modify (default: outputs)'),
  retries: z.number().int().min(0).max(10).optional().describe('Extra attempts on transient failure (default 2)'),
  timeout: duration.optional().describe('e.g. 15m'),
  cache: z.boolean().optional(),
  maxCost: z.number().positive().optional().describe('Most this task may spend, in USD (passed to clients that stop themselves, else checked after the run)'),
  maxTokens: z.number().int().positive().optional().describe('Most tokens (input + output) this task may use'),
  script: scriptSchema.optional().describe('Script for the built-in scripted agent'),
  ...verificationFields,
  forEach: forEachSchema
    .optional()
    .describe('Fan the task out: one worker per project or per file ({project}, {projectRoot}, {file}, {fileStem} are filled in)'),
  produces: producedFile.optional().describe('The task list this task writes (relative to the project, like outputs), run after it in the same invocation'),
});

/** An entry of `agent-tasks.{json,yaml,yml}`: the same fields plus the prompt. */
export const taskListEntrySchema = taskFieldsSchema.extend({
  prompt: z.string().optional().describe('The prompt, in markdown'),
});

export const taskListFileSchema = z.strictObject({
  tasks: z.array(z.unknown()).describe('The tasks of this file'),
});

/** An entry of a `03-tasks.json` decomposition, as spec-decomposition workflows write it. */
export const decompositionTaskSchema = taskFieldsSchema.omit({ id: true, description: true }).extend({
  id: z.union([z.string(), z.number()]).transform(String),
  phase: z.union([z.string(), z.number()]).optional(),
  phaseName: z.string().optional(),
  subject: z.string().optional(),
  description: z.string().optional(),
  activeForm: z.string().optional(),
  size: z.string().optional(),
  priority: z.union([z.string(), z.number()]).optional(),
  parallelWith: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
});

export const decompositionFileSchema = z.strictObject({
  slug: z.string().optional(),
  spec: z.string().optional(),
  title: z.string().optional(),
  tasks: z.array(z.unknown()),
});

export type TaskFields = z.output<typeof taskFieldsSchema>;
export type DecompositionTask = z.output<typeof decompositionTaskSchema>;

/** Where a spec came from. The last three are written by other tools, and read tolerantly. */
export type SpecFormat = 'agent-md' | 'task-list' | 'decomposition' | 'task-master' | 'spec-kit';

/** A validated, normalized task: what the graph layer and the executor work from. */
export interface TaskSpec {
  id: string;
  description?: string;
  prompt: string;
  agent?: string;
  model?: string;
  /** `task` (same project) or `project:task`, in declaration order. */
  dependsOn: string[];
  after: string[];
  inputs: string[];
  outputs: string[];
  writes: string[];
  retries: number;
  timeoutMs?: number;
  cache: boolean;
  /** Most the task may spend, in USD, and most tokens (input + output) it may use. */
  maxCost?: number;
  maxTokens?: number;
  script?: ScriptSpec;
  /** Checks run after the agent, as written (default: the profile's, else none). */
  verify?: string[];
  verifyAttempts?: number;
  isolation?: 'shared' | 'worktree';
  writeViolations?: 'fail' | 'warn';
  /** A template: the graph layer replaces it with one worker per item (see graph/expand-for-each). */
  forEach?: ForEachSpec;
  /**
   * The task list this task writes, as written (relative to the project, like outputs); also among
   * its outputs and writes. Its tasks run after it, in the same invocation (see executors/agent/run-produced).
   */
  produces?: string;
  /** Set on a task an analysis task produced (by the plugin layer, not the file): `project:task` of that analysis. */
  producedBy?: string;
  /** Set on a worker made from a forEach template: the template's id and, over files, the worker's file (relative to the project root). */
  worker?: { template: string; file?: string };
  /**
   * Set where `x/{each}` was resolved: per template, the tag all its workers carry and the workers
   * (`project:id`) it stands for. Nx gets one `dependsOn` entry on the tag, not the list.
   */
  each?: Array<{ tag: string; template: string; workers: string[] }>;
  /** Claimed by a decomposition; checked against the edges, not trusted. */
  parallelWith?: string[];
  phase?: string;
  phaseName?: string;
  /**
   * Set when the source says the task is finished (`done`, `completed`, `cancelled`, a checked
   * box): the value as written. Such a task is shown with its edges but never runs an agent.
   */
  closed?: string;
  /** Set when the task is carried out by its subtasks (task-master): the target is a no-op that waits for them. */
  subtasks?: string[];
  /** Fields another tool wrote that the plugin does not map, kept as written (bounded in size). */
  extra?: Record<string, unknown>;
  /** Workspace-relative spec file and 1-based line of the task's entry. */
  file: string;
  line?: number;
  format: SpecFormat;
}

/** Every field name a task entry accepts, for "did you mean" suggestions. */
export function knownFieldNames(schema: z.ZodObject): string[] {
  return Object.keys(schema.shape);
}
