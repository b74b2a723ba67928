import { quote } from '../task-spec/bounded-text';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import type { TaskSpec } from '../task-spec/schema';
import type { SpecProblem } from '../task-spec/spec-error';
import { taskKey, type TaskKey } from './task-key';

/** The project a spec file belongs to, as the plugin layer found it on disk. */
export interface SpecProject {
  root: string;
  name: string;
  /** No project.json or package.json encloses the file: the plugin defines (and names) the project. */
  inferred: boolean;
  /**
   * Set when the tasks get an Nx project of their own instead of the one they work in (`root`):
   * a forEach file worker, a produced task list. Nx hashes every target of a project into each of
   * its tasks, so a target that comes and goes in a shared project re-runs all its siblings.
   */
  node?: ProjectNode;
  /** Tags the plugin adds to the project (the workers of a forEach template carry one: see eachTag). */
  tags?: readonly string[];
}

/** An Nx project node made for tasks that work elsewhere (see project-node.ts). */
export interface ProjectNode {
  /** A folder that holds no file: the node owns nothing, so no file of a real project moves. */
  root: string;
  /** The project the tasks work in, and depend on in the project graph (`nx affected` follows the edge). */
  owner: string;
  tags: readonly string[];
}

export interface TaskEntry {
  key: TaskKey;
  task: TaskSpec;
  project: SpecProject;
}

/** One place that claims a task id: a valid task, or a problem that names its task. */
export interface Claim {
  file: string;
  line?: number;
  id: string;
  project: SpecProject;
  /** Set when the claim is a valid task; a claim from a problem has none. */
  entry?: TaskEntry;
}

/** Places listed in one duplicate-id message; the rest are counted, so 8,000 copies stay cheap. */
const MAX_PLACES_LISTED = 5;

/**
 * Every place that claims each task id (valid tasks, and problems that name their task, once per
 * file), and a duplicate-id problem for each place of an id claimed more than once. Linear in
 * the number of places: each message names at most {@link MAX_PLACES_LISTED} of them.
 */
export function collectClaims(files: ReadonlyArray<{ parsed: ParsedSpecFile; project: SpecProject }>): {
  claims: Map<TaskKey, Claim[]>;
  duplicates: Array<{ key: TaskKey; problem: SpecProblem }>;
} {
  const claims = new Map<TaskKey, Claim[]>();
  const add = (key: TaskKey, claim: Claim) => {
    const list = claims.get(key);
    if (list) list.push(claim);
    else claims.set(key, [claim]);
  };
  for (const { parsed, project } of files) {
    for (const task of parsed.tasks) {
      const key = taskKey(project.name, task.id);
      add(key, { file: parsed.file, line: task.line, id: task.id, project, entry: { key, task, project } });
    }
    const claimedHere = new Set<TaskKey>(parsed.tasks.map((task) => taskKey(project.name, task.id)));
    for (const problem of parsed.problems) {
      if (!problem.taskId) continue;
      const key = taskKey(project.name, problem.taskId);
      if (claimedHere.has(key)) continue;
      claimedHere.add(key);
      add(key, { file: parsed.file, line: problem.line, id: problem.taskId, project });
    }
  }
  const duplicates: Array<{ key: TaskKey; problem: SpecProblem }> = [];
  for (const [key, list] of claims) {
    if (list.length < 2) continue;
    const shown = list.slice(0, MAX_PLACES_LISTED).map((claim) => `${claim.file}${claim.line ? `:${claim.line}` : ''}`);
    const more = list.length > MAX_PLACES_LISTED ? ` and ${(list.length - MAX_PLACES_LISTED).toLocaleString('en-US')} more` : '';
    const message = `task id ${quote(list[0].id)} is used ${list.length.toLocaleString('en-US')} times in project ${quote(list[0].project.name)} (${shown.join(', ')}${more}): ids must be unique per project`;
    for (const claim of list) duplicates.push({ key, problem: { code: 'duplicate-id', file: claim.file, line: claim.line, taskId: claim.id, message } });
  }
  return { claims, duplicates };
}
