import type { WriteScopeReport } from './task-workspace';

/** Why a run whose changes break its write scope failed: the paths outside `writes`, or the changes that could not land. */
export function writeScopeFailure(scope: WriteScopeReport): string {
  if (scope.conflicts.length)
    return `changes inside writes could not be copied back: ${scope.conflicts.map((conflict) => `${conflict.path} (${conflict.reason})`).join(', ')}`;
  return `changed files outside its writes: ${scope.outOfScope.map((change) => change.path).join(', ')}${scope.patchFile ? ` (its changes are saved in ${scope.patchFile})` : ''}`;
}

/** The write-scope lines of the task's output: what was copied back, what lies outside `writes`. */
export function describeWriteScope(scope: WriteScopeReport): string[] {
  if (!scope.checked) return scope.note ? [`write scope not checked: ${scope.note}`] : [];
  return [
    ...(scope.isolation === 'worktree' && scope.inScope.length ? [`copied back from the worktree: ${scope.inScope.join(', ')}`] : []),
    ...(scope.outOfScope.length
      ? [
          `outside writes (${scope.policy === 'fail' ? 'fails the task' : 'warning'}): ${scope.outOfScope.map((change) => `${change.path} [${change.attribution}]`).join(', ')}`,
        ]
      : []),
    ...scope.conflicts.map((conflict) => `not copied back: ${conflict.path} (${conflict.reason})`),
    ...(scope.note ? [scope.note] : []),
  ];
}
