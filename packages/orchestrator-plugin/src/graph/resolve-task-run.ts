import { runRecordFolder } from '../runs/run-folders';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import type { SubagentProfile } from '../task-spec/parse-subagent-file';
import { projectNameProblem } from '../task-spec/path-safety';
import type { NormalizedPluginOptions } from '../task-spec/plugin-options';
import { checkAgentSettings } from '../task-spec/provider-capabilities';
import { resolveAgent, UnknownAgentError } from '../task-spec/resolve-agent';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import type { TaskSpec } from '../task-spec/schema';
import { formatSpecProblem, type SpecProblem } from '../task-spec/spec-error';

/** What resolving a task needs besides its spec. */
export interface TaskRunContext {
  project: { name: string; root: string; inferred?: boolean };
  options: NormalizedPluginOptions;
  /** Profiles from `.claude/agents/*.md`. */
  subagents: readonly SubagentProfile[];
}

export type TaskRunResolution = { ok: true; run: ResolvedTaskRun } | { ok: false; problems: SpecProblem[] };

/**
 * The fully resolved run of one valid task: its project name proven safe as a folder, its
 * agent resolved (a typo fails the task now, not minutes into a run), its settings checked
 * against what its provider can honour (checkAgentSettings), its script and record folder. Pure. The per-task half of validation; what needs every file at once (duplicate
 * ids, unknown dependencies, cycles) is buildAgentGraph's.
 */
export function resolveTask(task: TaskSpec, context: TaskRunContext): TaskRunResolution {
  const { project, options, subagents } = context;
  const problems: SpecProblem[] = [];
  const unsafe = projectNameProblem(project.name);
  if (unsafe) {
    const fix = project.inferred ? 'rename its folder, or give the file a safe "slug"' : 'rename it in its project.json or package.json';
    const message = `task "${task.id}" belongs to project ${JSON.stringify(project.name).slice(0, 80)}, whose name cannot hold agent tasks (${unsafe}): ${fix}`;
    problems.push({ code: 'unsafe-name', file: task.file, line: task.line, taskId: task.id, message });
  }
  let agent;
  try {
    agent = resolveAgent(task, options, subagents);
  } catch (error) {
    if (!(error instanceof UnknownAgentError)) throw error;
    problems.push({ code: 'unknown-agent', file: task.file, line: task.line, taskId: task.id, message: error.message });
  }
  const settings = agent && checkAgentSettings(agent.provider, agent.profile);
  for (const message of settings?.errors ?? []) {
    problems.push({
      code: 'unsupported-setting',
      file: task.file,
      line: task.line,
      taskId: task.id,
      message: `task "${task.id}" (agent "${agent!.name}"): ${message}`,
    });
  }
  if (problems.length || !agent) return { ok: false, problems };
  return {
    ok: true,
    run: {
      project: { name: project.name, root: project.root },
      task,
      agent,
      ...((task.script ?? agent.profile.script) ? { script: task.script ?? agent.profile.script } : {}),
      recordFolder: runRecordFolder(project.name, task.id),
      warnings: settings?.warnings ?? [],
    },
  };
}

/**
 * The resolved run of task `taskId` of a parsed spec file, as the executor needs it at run time:
 * the problems of the task (or of its file) when it is invalid, a clear message when the task
 * is no longer in the file (the project graph is older than the file).
 */
export function resolveTaskRun(parsed: ParsedSpecFile, taskId: string | undefined, context: TaskRunContext): TaskRunResolution {
  const task = parsed.tasks.find((candidate) => candidate.id === taskId);
  if (task) return resolveTask(task, context);
  const problems = parsed.problems.filter((problem) => !problem.taskId || problem.taskId === taskId);
  if (problems.length) return { ok: false, problems };
  const message = `task "${taskId}" is no longer in ${parsed.file}: the project graph is older than the file. Run the command again (or \`nx reset\`).`;
  return { ok: false, problems: [{ code: 'stale-graph', file: parsed.file, taskId, message }] };
}

/** The problems of a resolution as the lines a failing run prints. */
export function describeProblems(problems: readonly SpecProblem[]): string {
  return problems.map(formatSpecProblem).join('\n');
}
