import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startActivity, type Activity } from './activity-journal';
import { attributeChanges, type OutOfScopeChange, type WriteScopeFindings } from './attribute-changes';
import { copyBack } from './copy-back';
import type { WorktreeRemoval } from './remove-task-worktree';
import { createTaskWorktree, type TaskWorktree } from './task-worktree';
import { watchSharedCheckout, type SharedCheckoutWatch } from './watch-shared-checkout';
import { createWriteScope } from './write-scope';

export type Isolation = 'shared' | 'worktree';
export type WriteViolationPolicy = 'fail' | 'warn';

/** The folders under the workspace data folder that this room keeps its state in. */
export const WORKTREES_FOLDER = 'agent-worktrees';
export const ACTIVITY_FOLDER = 'agent-activity';

export interface OpenTaskWorkspaceRequest {
  workspaceRoot: string;
  /** Nx's workspace data folder (`.nx/workspace-data` unless moved): worktrees and the activity journal live there. */
  dataFolder: string;
  /** The run-records folder (`.agent-runs`): never compared, never copied. */
  recordsFolder: string;
  project: string;
  task: string;
  /** The task's `writes` as workspace-relative patterns. */
  writes: readonly string[];
  isolation: Isolation;
  /** Default: `fail` in a worktree, `warn` in the shared checkout (where the change has happened already, and may not be the task's). */
  writeViolations?: WriteViolationPolicy;
  baseEnv?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  now?: () => Date;
}

/** An out-of-scope change: in a worktree always the task's own (`isolated`). */
export type ScopedChange = OutOfScopeChange | { path: string; attribution: 'isolated'; outsideWorkspace?: true };

/** What the write-scope check of one run found, for the run record and the summary. */
export interface WriteScopeReport {
  isolation: Isolation;
  policy: WriteViolationPolicy;
  /** False when nothing could be compared (no writes declared, not a git repository); `note` says why. */
  checked: boolean;
  note?: string;
  /** Changed files inside `writes`: in a worktree, those copied back into the workspace. */
  inScope: string[];
  outOfScope: ScopedChange[];
  /** Worktree: changes inside `writes` that were not copied back, with the reason. */
  conflicts: Array<{ path: string; reason: string }>;
  /** Shared checkout: changes outside `writes` presumed to be another overlapping run's. */
  presumedOthers: WriteScopeFindings['presumedOthers'];
  /** Whether the findings fail the task (by the policy; a conflict always does: the output did not land). */
  failsTask: boolean;
  /** Worktree: where the changes of a run that did not land were saved (`git apply` takes it). */
  patchFile?: string;
}

/** Where one task's agent works, and how its changes are checked against its `writes`. */
export interface TaskWorkspace {
  /** The agent's and the checks' working directory. */
  readonly cwd: string;
  readonly isolated: boolean;
  /**
   * Once the agent and its checks are done: compares the checkout with its state at the start
   * (shared), or lists the worktree's changes and, when `succeeded` and the policy allows, copies
   * those inside `writes` back (worktree). A run that did not succeed changes nothing in the
   * workspace; its changes are saved to `patchFile` instead.
   */
  settle(outcome: { succeeded: boolean; reportedFiles: readonly string[]; patchFile?: string }): Promise<WriteScopeReport>;
  /** Records the end of the run and removes the worktree; idempotent, for a `finally`. */
  close(): WorktreeRemoval | undefined;
}

/**
 * Opens the place a task's agent works in: its own worktree with `isolation: worktree`,
 * otherwise the shared checkout with a snapshot to compare against. Either way the run is
 * entered in the activity journal, so the shared-checkout runs it overlaps know it was there.
 */
export async function openTaskWorkspace(request: OpenTaskWorkspaceRequest): Promise<TaskWorkspace> {
  const { baseEnv } = request;
  const scope = createWriteScope(request.writes);
  const policy = request.writeViolations ?? (request.isolation === 'worktree' ? 'fail' : 'warn');
  const base = { isolation: request.isolation, policy, inScope: [], outOfScope: [], conflicts: [], presumedOthers: [], failsTask: false };
  const exclude = [request.dataFolder, request.recordsFolder];
  const activity: Activity = startActivity({
    folder: join(request.dataFolder, ACTIVITY_FOLDER),
    project: request.project,
    task: request.task,
    writes: request.writes,
    isolation: request.isolation,
    now: request.now && (() => request.now!().getTime()),
  });
  let worktree: TaskWorktree | undefined;
  let watch: SharedCheckoutWatch | undefined;
  try {
    if (request.isolation === 'worktree') {
      worktree = await createTaskWorktree({
        workspaceRoot: request.workspaceRoot,
        worktreesFolder: join(request.dataFolder, WORKTREES_FOLDER),
        exclude,
        project: request.project,
        task: request.task,
        baseEnv,
        now: request.now,
        log: request.log,
      });
    } else if (request.writes.length) {
      watch = await watchSharedCheckout({ workspaceRoot: request.workspaceRoot, exclude, baseEnv, log: request.log });
    }
  } catch (error) {
    activity.end();
    throw error;
  }

  let removal: WorktreeRemoval | undefined;
  return {
    cwd: worktree?.workspaceRoot ?? request.workspaceRoot,
    isolated: worktree !== undefined,
    async settle({ succeeded, reportedFiles, patchFile }) {
      if (!worktree) {
        if (!request.writes.length) return { ...base, checked: false, note: 'the task declares no writes (or outputs): there is no scope to check' };
        if (!watch) return { ...base, checked: false, note: 'the workspace is not a git repository: changes cannot be compared' };
        const findings = attributeChanges({ changed: await watch.changedSince(), scope, reportedByAgent: reportedFiles, overlapping: activity.overlapping() });
        const attributed = findings.outOfScope.filter((change) => change.attribution !== 'unattributed');
        return { ...base, checked: true, ...findings, failsTask: policy === 'fail' && attributed.length > 0 };
      }
      const changes = await worktree.listChanges(scope);
      const outOfScope: ScopedChange[] = changes
        .filter((change) => change.workspacePath === undefined || !scope.includes(change.workspacePath))
        .map((change) => ({
          path: change.workspacePath ?? change.path,
          attribution: 'isolated',
          ...(change.workspacePath === undefined ? { outsideWorkspace: true as const } : {}),
        }));
      const violationFails = policy === 'fail' && outOfScope.length > 0;
      if (!succeeded || violationFails) {
        const saved = changes.length && patchFile ? savePatch(await worktree.patch(scope), patchFile) : undefined;
        const inScope = changes
          .filter((change) => change.workspacePath !== undefined && scope.includes(change.workspacePath))
          .map((change) => change.workspacePath!);
        return {
          ...base,
          checked: true,
          inScope: [],
          outOfScope,
          failsTask: violationFails,
          ...(saved ? { patchFile: saved } : {}),
          note: notCopied(inScope, succeeded),
        };
      }
      const landed = await copyBack({ worktreePath: worktree.path, workspaceRoot: request.workspaceRoot, changes, scope, baseEnv });
      return { ...base, checked: true, inScope: landed.copied, outOfScope, conflicts: landed.conflicts, failsTask: landed.conflicts.length > 0 };
    },
    close() {
      activity.end();
      removal ??= worktree?.remove();
      return removal;
    },
  };
}

function savePatch(patch: string, file: string): string | undefined {
  if (!patch) return undefined;
  writeFileSync(file, patch);
  return file;
}

function notCopied(inScope: readonly string[], succeeded: boolean): string | undefined {
  if (!inScope.length) return undefined;
  return `${inScope.length} change${inScope.length === 1 ? '' : 's'} inside writes not copied back: the run ${succeeded ? 'wrote outside its writes' : 'did not succeed'}`;
}
