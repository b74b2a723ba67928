import type { ActivityEntry } from './activity-journal';
import { createWriteScope, type WriteScope } from './write-scope';

/** A changed file outside the task's `writes`, and why it is (or may be) the task's doing. */
export interface OutOfScopeChange {
  path: string;
  /**
   * - `reported`: the agent itself reported writing it (a file tool call): certainly this task.
   * - `alone`: no other agent task ran meanwhile, so no other agent task made it. Something
   *   that is not an agent task (an editor, a build in another terminal) still could have.
   * - `unattributed`: other agent tasks ran meanwhile and the file is in none of their `writes`:
   *   this task or one of those (listed in `candidates`) made it; git cannot tell which.
   */
  attribution: 'reported' | 'alone' | 'unattributed';
  /** For `unattributed`: the other runs that overlapped, as `project:task`. */
  candidates?: string[];
}

/** What the write-scope check of one shared-checkout run found. */
export interface WriteScopeFindings {
  /** Changed files inside the task's `writes`. */
  inScope: string[];
  /** Changed files outside them, with their attribution. */
  outOfScope: OutOfScopeChange[];
  /** Changed files outside the task's `writes` but inside an overlapping run's: presumed theirs, `path` -> `project:task` list. */
  presumedOthers: Array<{ path: string; tasks: string[] }>;
}

export interface AttributeChangesRequest {
  /** Workspace-relative paths that changed during the run (git status before and after). */
  changed: readonly string[];
  scope: WriteScope;
  /** Workspace-relative paths the agent reported writing. */
  reportedByAgent: readonly string[];
  /** Other runs whose time overlapped this one (activity journal). */
  overlapping: readonly ActivityEntry[];
}

/**
 * Sorts the files that changed while a task ran in the shared checkout into what it may
 * write, what is outside its scope (and how surely that is its doing), and what falls in the
 * scope of another run that overlapped it. Pure.
 */
export function attributeChanges(request: AttributeChangesRequest): WriteScopeFindings {
  const reported = new Set(request.reportedByAgent);
  const others = request.overlapping.map((entry) => ({ name: `${entry.project}:${entry.task}`, scope: createWriteScope(entry.writes) }));
  const findings: WriteScopeFindings = { inScope: [], outOfScope: [], presumedOthers: [] };
  for (const path of [...request.changed].sort()) {
    if (request.scope.includes(path)) {
      findings.inScope.push(path);
      continue;
    }
    if (reported.has(path)) {
      findings.outOfScope.push({ path, attribution: 'reported' });
      continue;
    }
    if (!others.length) {
      findings.outOfScope.push({ path, attribution: 'alone' });
      continue;
    }
    const owners = others.filter((other) => other.scope.includes(path)).map((other) => other.name);
    if (owners.length) findings.presumedOthers.push({ path, tasks: [...new Set(owners)] });
    else findings.outOfScope.push({ path, attribution: 'unattributed', candidates: [...new Set(others.map((other) => other.name))] });
  }
  return findings;
}
