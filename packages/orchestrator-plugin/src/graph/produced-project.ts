import { posix } from 'node:path';

/**
 * Names shared by the layer that infers the tasks an analysis task produced (plugins) and the
 * executor that runs them: the project they are placed in, its folder, and how a produced task
 * names the analysis that wrote it.
 */

/** The folder, inside the analysis task's project, that holds no file and roots the produced tasks' project node. */
export const PRODUCED_FOLDER = '.agent-produced';

/**
 * `<project>--<analysis id>`: one project per analysis task, so a new or edited produced list
 * changes no other project's configuration (Nx hashes every target of a project into each of its
 * tasks; see docs/fan-out.md).
 */
export function producedProjectName(project: string, analysisId: string): string {
  return `${project}--${analysisId}`;
}

/** `<project root>/.agent-produced/<analysis id>`: the virtual root of the produced tasks' project node. */
export function producedProjectRoot(projectRoot: string, analysisId: string): string {
  return projectRoot === '.' || projectRoot === '' ? posix.join(PRODUCED_FOLDER, analysisId) : posix.join(projectRoot, PRODUCED_FOLDER, analysisId);
}

/** The analysis task a produced task came from: `project:task` (a task id holds no `:`, a project name may). */
export interface ProducedBy {
  project: string;
  task: string;
}

/** `project:task`, as a produced task's target options carry it. */
export function formatProducedBy(analysis: ProducedBy): string {
  return `${analysis.project}:${analysis.task}`;
}

/** The inverse of {@link formatProducedBy}, or undefined for a value without a `:`. */
export function parseProducedBy(value: string): ProducedBy | undefined {
  const colon = value.lastIndexOf(':');
  if (colon <= 0 || colon === value.length - 1) return undefined;
  return { project: value.slice(0, colon), task: value.slice(colon + 1) };
}
