import { resolveTask } from '../graph/resolve-task-run';
import type { SubagentProfile } from '../task-spec/parse-subagent-file';
import type { NormalizedPluginOptions } from '../task-spec/plugin-options';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import type { TaskSpec } from '../task-spec/schema';

/** A task resolved the way createNodes and the executor resolve it; throws on a task that would not resolve. */
export function resolvedRun(
  task: TaskSpec,
  options: NormalizedPluginOptions,
  project = { name: 'api', root: 'apps/api' },
  subagents: readonly SubagentProfile[] = [],
): ResolvedTaskRun {
  const resolution = resolveTask(task, { project, options, subagents });
  if (!resolution.ok) throw new Error(`test task does not resolve: ${resolution.problems.map((problem) => problem.message).join('; ')}`);
  return resolution.run;
}
