import type { PostTasksExecutionContext, ProjectGraph } from '@nx/devkit';
import { readLimitsSummary, type LimitsSummary } from '../limits/limits-summary';
import { isAgentTarget, type AgentTargetOptions } from '../task-spec/agent-target';
import { readRunRecord } from './run-record';
import { buildRunSummary, formatRunSummary, type NxTaskStatus, type RunSummary } from './run-summary';
import { writeRunSummary } from './run-summary-file';
import { writeRunReport } from './write-run-report';

/**
 * Set by `nx-agents` on the nx it runs: the wrapper prints the summary once nx has exited, so
 * the hook must not print it too. `AGENT_` because Nx keeps that prefix out of the environment it
 * forwards to its daemon: any other new variable makes the daemon recompute the project graph
 * whenever it appears or disappears (measured, see docs/run-summary.md).
 */
export const SUMMARY_PRINTER_VARIABLE = 'AGENT_ORCHESTRATOR_SUMMARY_PRINTER';
export const SUMMARY_PRINTED_BY_WRAPPER = 'nx-agents';

/** What the post-tasks hook knows when an invocation ends. */
export interface RunSummaryReportRequest {
  context: Pick<PostTasksExecutionContext, 'id' | 'workspaceRoot' | 'taskResults' | 'argv' | 'startTime' | 'endTime'>;
  /** This invocation's project graph: agent tasks are the targets that run the agent executor. */
  projectGraph: ProjectGraph | undefined;
  env: Readonly<Record<string, string | undefined>>;
  /** Where the table goes: the hook's stdout (the terminal without the daemon, the daemon's log with it). */
  print: (text: string) => void;
  /** Nx's workspace data folder, where the run's limits journal lives (by Nx's invocation id); none: no limits lines. */
  workspaceDataFolder?: string;
}

/**
 * Writes `.agent-runs/summary.json` for the agent tasks of one invocation and prints the table,
 * unless `nx-agents` will print it. Returns the summary, or undefined when no agent task was
 * part of the invocation (the previous summary is then left as it was). Never throws for a
 * summary it cannot write: a finished run must not fail over its report.
 */
export function reportRunSummary({ context, projectGraph, env, print, workspaceDataFolder }: RunSummaryReportRequest): RunSummary | undefined {
  const agentTasks = Object.values(context.taskResults).flatMap((result) => {
    const target = projectGraph?.nodes[result.task.target.project]?.data.targets?.[result.task.target.target];
    const id = (target?.options as AgentTargetOptions | undefined)?.task;
    const timing = result.task as { startTime?: number; endTime?: number };
    return isAgentTarget(target) && id ? [{ project: result.task.target.project, id, status: result.status as NxTaskStatus, timing }] : [];
  });
  if (!agentTasks.length) return undefined;
  const summary = buildRunSummary({
    tasks: agentTasks.map(({ project, id, status }) => ({
      task: `${project}:${id}`,
      status,
      // A task that did not run now may still have an older run's record in its folder.
      record: status === 'skipped' || status === 'stopped' ? undefined : readRunRecord(context.workspaceRoot, project, id),
    })),
    id: context.id,
    argv: context.argv,
    startTime: context.startTime,
    endTime: context.endTime,
    ...limitsOf(workspaceDataFolder, context.id),
  });
  let unwritten = '';
  try {
    writeRunSummary(context.workspaceRoot, summary);
  } catch (error) {
    unwritten = `  (not written: ${(error as Error).message})\n`;
  }
  let report: string;
  try {
    const timings = new Map(agentTasks.map(({ project, id, timing }) => [`${project}:${id}`, timing]));
    report = `Run report: ${writeRunReport({ workspaceRoot: context.workspaceRoot, summary, timings })}\n`;
  } catch (error) {
    report = `  (run report not written: ${(error as Error).message})\n`;
  }
  if (env[SUMMARY_PRINTER_VARIABLE] !== SUMMARY_PRINTED_BY_WRAPPER) print(`\n${formatRunSummary(summary)}${unwritten}${report}`);
  return summary;
}

/** The run's limits figures, when its tasks met any; a journal that cannot be read leaves them out rather than fail the summary. */
function limitsOf(workspaceDataFolder: string | undefined, runId: string): { limits?: LimitsSummary } {
  if (!workspaceDataFolder) return {};
  try {
    const limits = readLimitsSummary(workspaceDataFolder, runId);
    return limits ? { limits } : {};
  } catch {
    return {};
  }
}
