/** A task's identity across the workspace: `project:id`. */
export type TaskKey = string;

/** `project:id`, the form cross-project dependencies are written in. */
export function taskKey(project: string, id: string): TaskKey {
  return `${project}:${id}`;
}

/**
 * Splits a dependency reference: `id` is a task of `ownProject`, `project:id` a task of another.
 * Task ids never contain ":", so the last ":" separates a project name that might.
 */
export function parseTaskReference(reference: string, ownProject: string): { project: string; id: string } {
  const separator = reference.lastIndexOf(':');
  if (separator < 0) return { project: ownProject, id: reference };
  return { project: reference.slice(0, separator), id: reference.slice(separator + 1) };
}

/** Code-unit order: deterministic whatever the machine's locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
