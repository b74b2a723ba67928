import { workspaceDataDirectoryForWorkspace } from 'nx/src/utils/cache-directory';
import { resolveLimitsSettings } from '../../limits/limits-settings';
import { currentRunId } from '../../limits/run-identity';
import { RunLimits } from '../../limits/task-limits';
import type { Reservation } from '../../limits/run-journal';
import type { RunRecord } from '../../runs/run-record';
import { normalizePluginOptions, PLUGIN_NAME, type NormalizedPluginOptions } from '../../task-spec/plugin-options';
import type { TaskSpec } from '../../task-spec/schema';

/**
 * The run's limits for this process: pools in Nx's workspace data folder, the run (its shared
 * backoff and budget) named by the id the preTasksExecution hook handed down. One per process:
 * a batch shares it between its tasks.
 */
export function openRunLimits(request: { root: string; pluginOptions: NormalizedPluginOptions; environment?: NodeJS.ProcessEnv }): RunLimits {
  const environment = request.environment ?? process.env;
  return new RunLimits({
    workspaceDataFolder: workspaceDataDirectoryForWorkspace(request.root),
    runId: currentRunId(environment),
    settings: resolveLimitsSettings(request.pluginOptions, environment),
  });
}

/**
 * One RunLimits for every task of a batch, with the options of the plugin's nx.json registration
 * (its first, when it is registered more than once); undefined when they are invalid (each task
 * then fails with the message).
 */
export function openBatchLimits(context: { root: string; nxJsonConfiguration?: { plugins?: unknown[] } }): RunLimits | undefined {
  try {
    const entry = (context.nxJsonConfiguration?.plugins ?? []).find(
      (plugin) => plugin === PLUGIN_NAME || (typeof plugin === 'object' && plugin !== null && (plugin as { plugin?: string }).plugin === PLUGIN_NAME),
    );
    const options = typeof entry === 'object' && entry !== null ? (entry as { options?: unknown }).options : undefined;
    return openRunLimits({ root: context.root, pluginOptions: normalizePluginOptions(options) });
  } catch {
    return undefined;
  }
}

/**
 * What a task is expected to spend, for the run budget: what its last run spent (its record,
 * read before the run clears it), capped by its own maxCost / maxTokens; the cap alone when it
 * never ran; nothing when neither is known (the run's mean is used then).
 */
export function expectedSpend(task: Pick<TaskSpec, 'maxCost' | 'maxTokens'>, last: RunRecord | undefined): Reservation | undefined {
  // A skipped task spent nothing: that says nothing of what it will spend.
  const previous = last?.status === 'skipped' ? undefined : last;
  const lastCost = previous?.costUsd ?? undefined;
  const lastTokens = previous ? previous.tokens.input + previous.tokens.output : undefined;
  const costUsd = cap(lastCost, task.maxCost);
  const tokens = cap(lastTokens, task.maxTokens);
  if (costUsd === undefined && tokens === undefined) return undefined;
  return { ...(costUsd !== undefined ? { costUsd } : {}), ...(tokens !== undefined ? { tokens } : {}) };
}

function cap(value: number | undefined, limit: number | undefined): number | undefined {
  if (value === undefined) return limit;
  return limit === undefined ? value : Math.min(value, limit);
}
