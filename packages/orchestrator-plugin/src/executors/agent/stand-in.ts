import { parseProducedBy } from '../../graph/produced-project';
import { currentRunId, STAND_IN_ENV } from '../../limits/run-identity';
import { readRunRecord, type RunRecord } from '../../runs/run-record';
import { normalizePluginOptions } from '../../task-spec/plugin-options';
import { findPluginOptions, type PluginEntry } from '../../workspace/plugin-registration';
import type { AgentTargetRun } from './run-agent-target';

/** The stand-in list of `env` (empty when unset or not a JSON list of strings). */
export function standInTasks(env: NodeJS.ProcessEnv): string[] {
  const value = env[STAND_IN_ENV];
  if (!value) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

/** The stand-in list with `taskId` added, as the env value for a nested run. */
export function withStandIn(env: NodeJS.ProcessEnv, taskId: string): string {
  return JSON.stringify([...new Set([...standInTasks(env), taskId])]);
}

/** What an agent target knows before it runs, for {@link decideStandIn}. */
export interface StandInRequest {
  /** The Nx task id, `project:target`. */
  taskId: string;
  /** The task's id in its spec. */
  task: string | undefined;
  /** Set on a produced task: `project:task` of the analysis that wrote it (its target options). */
  producedBy?: string;
  /** The Nx task id of that analysis (`project:<targetPrefix><task>`), set with producedBy. */
  analysisTaskId?: string;
  /** The stand-in list of this process (see {@link standInTasks}). */
  standIns: readonly string[];
  /** This invocation's id (currentRunId). */
  runId: string;
  /** The analysis task's record, read when producedBy is set. */
  analysisRecord?: RunRecord;
}

/** Run the task, or do not and say why in a line (the task then succeeds without running). */
export type StandInDecision = { run: true } | { run: false; line: string };

/**
 * Whether an agent target runs its agent:
 * - An analysis task in a nested run it started itself (its id is in the stand-in list) does not:
 *   it is running in the parent nx, and its outputs are already final. It succeeds at once, so Nx
 *   caches those outputs and hashes the produced tasks over them, as the next invocation will.
 * - A produced task the parent nx reaches after the analysis ran the produced list in a nested run
 *   of this same invocation (the record says so, and this process is not that nested run) does
 *   not: the nested run ran the list as the analysis wrote it, this copy is from the graph computed
 *   before. A task no longer in the list is said so.
 * Pure.
 */
export function decideStandIn(request: StandInRequest): StandInDecision {
  const { taskId, task, producedBy, analysisTaskId, standIns, runId, analysisRecord } = request;
  if (standIns.includes(taskId)) return { run: false, line: `${taskId} stands in for the analysis running in the parent nx: nothing to do here` };
  if (!producedBy || !analysisTaskId || standIns.includes(analysisTaskId)) return { run: true };
  const produced = analysisRecord?.produced;
  const analysis = parseProducedBy(producedBy);
  if (!produced || !analysis || analysisRecord.status !== 'succeeded' || produced.runId !== runId) return { run: true };
  if (task !== undefined && produced.tasks.includes(task))
    return { run: false, line: `${taskId} already ran in this invocation, in the nested run of ${analysisTaskId} over ${produced.file}: nothing to do here` };
  return {
    run: false,
    line: `${taskId} is no longer in ${produced.file}: ${analysisTaskId} wrote a new list in this invocation, and its nested run ran that list instead`,
  };
}

/**
 * {@link decideStandIn} for one agent target, with what it needs read from the workspace: for a
 * produced task, its analysis's Nx task id (by the plugin's target prefix) and record.
 */
export function standInDecisionFor(request: Pick<AgentTargetRun, 'options' | 'taskId' | 'context'> & { env: NodeJS.ProcessEnv }): StandInDecision {
  const { options, taskId, context, env } = request;
  const standIns = standInTasks(env);
  const analysis = options.producedBy ? parseProducedBy(options.producedBy) : undefined;
  if (!analysis) return decideStandIn({ taskId, task: options.task, standIns, runId: '' });
  const { targetPrefix } = normalizePluginOptions(
    findPluginOptions(context.root, context.nxJsonConfiguration?.plugins as PluginEntry[] | undefined, options.spec),
  );
  return decideStandIn({
    taskId,
    task: options.task,
    producedBy: options.producedBy,
    analysisTaskId: `${analysis.project}:${targetPrefix}${analysis.task}`,
    standIns,
    runId: currentRunId(env),
    analysisRecord: readRunRecord(context.root, analysis.project, analysis.task),
  });
}
