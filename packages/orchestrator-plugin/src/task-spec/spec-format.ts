import type { SpecFormat } from './schema';

/** The file names the plugin reads specs from (matched against the base name). */
export const SPEC_FILE_PATTERNS = {
  agentMarkdown: /\.agent\.md$/,
  taskList: /^agent-tasks\.(json|ya?ml)$/,
  decomposition: /^03-tasks\.json$/,
};

/** The format a workspace-relative path is read as, or undefined when the plugin does not read it. */
export function specFormatOf(file: string): SpecFormat | undefined {
  const segments = file.split('/');
  const name = segments[segments.length - 1];
  if (SPEC_FILE_PATTERNS.agentMarkdown.test(name)) return 'agent-md';
  if (SPEC_FILE_PATTERNS.taskList.test(name)) return 'task-list';
  if (SPEC_FILE_PATTERNS.decomposition.test(name)) return 'decomposition';
  const parent = segments[segments.length - 2];
  // claude-task-master: `.taskmaster/tasks/tasks.json`, and the older `tasks/tasks.json`.
  if (name === 'tasks.json' && parent === 'tasks') return 'task-master';
  // GitHub spec-kit: `specs/<feature>/tasks.md`.
  if (name === 'tasks.md' && segments.length >= 3 && segments[segments.length - 3] === 'specs') return 'spec-kit';
  return undefined;
}

/** Whether a file name is one the plugin reads as a spec. */
export function isSpecFile(file: string): boolean {
  return specFormatOf(file) !== undefined;
}

/**
 * The file names a `produces` path may end in: every task-list format the plugin reads. A
 * `*.agent.md` holds one task, not a list, so an analysis that writes one is refused.
 */
export const PRODUCED_LIST_NAMES =
  'agent-tasks.json, agent-tasks.yaml, agent-tasks.yml, 03-tasks.json, tasks/tasks.json (task-master) or specs/<feature>/tasks.md (spec-kit)';

/** Whether a path names a task list the plugin reads (see {@link PRODUCED_LIST_NAMES}). */
export function isTaskListFile(file: string): boolean {
  const format = specFormatOf(file);
  return format !== undefined && format !== 'agent-md';
}
