import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import type { StopCheck } from '../../agents/stop-check';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { openTaskWorkspace, type TaskWorkspace } from '../../agents/isolation/task-workspace';
import { runAgentTask } from '../../agents/run-agent-task';
import { describeProblems, resolveTaskRun } from '../../graph/resolve-task-run';
import { resolvePattern } from '../../graph/upstream-outputs';
import { checkTaskSpend } from '../../limits/task-spend-limit';
import type { RunLimits } from '../../limits/task-limits';
import { RUN_RECORDS_FOLDER } from '../../runs/run-folders';
import { readRunRecord, writeRunRecord, type RunRecord } from '../../runs/run-record';
import { isAgentTarget, type AgentTargetOptions } from '../../task-spec/agent-target';
import { parseSpecFile } from '../../task-spec/parse-spec-file';
import { specOfTarget } from '../../graph/expand-for-each';
import { workProjectOf } from '../../graph/project-node';
import type { ParsedSpecFile } from '../../task-spec/parsed-spec-file';
import type { ResolvedTaskRun } from '../../task-spec/resolved-task-run';
import { normalizePluginOptions, type NormalizedPluginOptions } from '../../task-spec/plugin-options';
import { loadSubagentProfiles } from '../../workspace/load-subagent-profiles';
import { findPluginOptions, type PluginEntry } from '../../workspace/plugin-registration';
import { expectedSpend, openRunLimits } from './open-run-limits';
import { runProduced } from './run-produced';
import { standInDecisionFor } from './stand-in';
import { currentRunId } from '../../limits/run-identity';

/** What running one agent target needs from Nx, in either executor mode. */
export interface AgentTargetRun {
  options: AgentTargetOptions;
  /** The Nx task id, `project:target`. */
  taskId: string;
  projectName: string;
  context: Pick<ExecutorContext, 'root' | 'projectsConfigurations' | 'nxJsonConfiguration'> & { taskGraph?: TaskGraph };
  signal: AbortSignal;
  /** Checked before a run is recorded as a success (see tree-kill-sentinel); may wait a moment. */
  stopRequested?: (check: StopCheck) => boolean | Promise<boolean>;
  log: (line: string) => void;
  /** The run's limits in this process (a batch shares one); default: opened for this task. */
  limits?: RunLimits;
  /** Nx's workspace data folder, where task worktrees live; default the one Nx uses. */
  dataFolder?: string;
  /** This process's environment (the stand-in list, the run id); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs one agent target: reads its spec (the prompt and settings live there, not in the
 * target, so editing one task does not change its siblings' hashes), resolves it the way
 * createNodes did (resolveTaskRun), runs it, and says whether it succeeded. Shared by the
 * per-task and the batch executor.
 */
export async function runAgentTarget(request: AgentTargetRun): Promise<boolean> {
  const env = request.env ?? process.env;
  const standIn = standInDecisionFor({ ...request, env });
  if (!standIn.run) {
    request.log(standIn.line);
    return true;
  }
  const outcome = await runOwnAgent(request);
  if (!outcome.success || !outcome.run?.task.produces) return outcome.success;
  // An analysis task: the list it wrote runs now, in a nested nx run, once its own slot and workspace are let go.
  return runProduced({
    workspaceRoot: request.context.root,
    run: outcome.run,
    project: request.projectName,
    taskId: request.taskId,
    aggregateTarget: outcome.pluginOptions!.aggregateTarget,
    runId: currentRunId(env),
    env,
    signal: request.signal,
    log: request.log,
  });
}

/** Runs the target's own agent; the resolved task comes back with the outcome. */
async function runOwnAgent({
  options,
  taskId,
  projectName,
  context,
  signal,
  stopRequested,
  log,
  limits,
  dataFolder,
}: AgentTargetRun): Promise<{ success: boolean; run?: ResolvedTaskRun; pluginOptions?: NormalizedPluginOptions }> {
  const resolution = resolveAgentTarget({ options, taskId, projectName, context });
  if (!resolution.ok) {
    log(resolution.message);
    return { success: false };
  }
  const { run, pluginOptions } = resolution;
  const key = `${projectName}:${run.task.id}`;
  let taskLimits;
  try {
    taskLimits = (limits ?? openRunLimits({ root: context.root, pluginOptions })).forTask({
      task: key,
      provider: run.agent.provider,
      ...(run.agent.profile.concurrency !== undefined ? { profile: { name: run.agent.name, concurrency: run.agent.profile.concurrency } } : {}),
      // Read before the run clears its record.
      estimate: expectedSpend(run.task, readRunRecord(context.root, projectName, run.task.id)),
      log,
    });
  } catch (error) {
    log((error as Error).message);
    return { success: false };
  }
  // Pools and the run budget come first: the run's own time, timeout and record start once it may start.
  try {
    const start = await taskLimits.start(signal);
    if (!start.started) {
      // Not run, so neither its old record nor a cache entry may stand for it: it fails in Nx (uncached), its
      // record says why, and a rerun with a larger budget runs it.
      writeRunRecord(context.root, skippedRecord(run, projectName, upstreamAgentTasks(taskId, context), start.reason));
      log(`${key} skipped: ${start.reason}`);
      return { success: false };
    }
  } catch (error) {
    taskLimits.finish();
    log(`${key} interrupted: ${(error as Error).message}`);
    return { success: false };
  }
  // Opened once the task may start (no worktree is held while it waits for a slot).
  let workspace: TaskWorkspace;
  try {
    workspace = await openTaskWorkspace({
      workspaceRoot: context.root,
      dataFolder: dataFolder ?? workspaceDataDirectory,
      recordsFolder: join(context.root, RUN_RECORDS_FOLDER),
      project: projectName,
      task: run.task.id,
      // Workspace-relative, as the write scope compares them ({projectRoot} and bare paths resolved).
      writes: run.task.writes.map((pattern) =>
        pattern.startsWith('!') ? `!${resolvePattern(pattern.slice(1), run.project.root)}` : resolvePattern(pattern, run.project.root),
      ),
      isolation: run.task.isolation ?? run.agent.profile.isolation ?? 'shared',
      writeViolations: run.task.writeViolations ?? run.agent.profile.writeViolations,
      log,
    });
  } catch (error) {
    taskLimits.finish();
    log(`${key} could not get its workspace: ${(error as Error).message}`);
    return { success: false };
  }
  try {
    let record = await runAgentTask({
      workspaceRoot: context.root,
      run,
      upstream: upstreamAgentTasks(taskId, context),
      signal,
      stopRequested,
      log,
      workspace,
      // Each attempt's spend reaches the run budget as it ends, failed ones too; a rate limit pauses the provider's other tasks.
      attemptHooks: {
        beforeAttempt: (attempt) => taskLimits.beforeAttempt(attempt, signal),
        afterAttempt: (outcome) => taskLimits.afterAttempt(outcome),
        beforeModelRequest: () => taskLimits.waitForProvider(signal),
      },
    });
    const spend = { costUsd: record.costUsd, tokens: record.tokens.input + record.tokens.output };
    // Clients that stop themselves were given the limits; this catches the rest, and a last turn that passed them.
    const check = checkTaskSpend(run.task, spend);
    if (check.warning) log(`warning: ${check.warning}`);
    if (check.problem && record.status === 'succeeded') {
      record = { ...record, status: 'failed', error: `${check.problem} (${run.task.file})` };
      writeRunRecord(context.root, record);
    }
    const waits = taskLimits.waits;
    if (waits.slotMs || waits.rateLimitMs) writeRunRecord(context.root, (record = { ...record, waits }));
    if (record.status !== 'succeeded') log(`${projectName}:${record.task} ${record.status}: ${record.error ?? 'no detail'}`);
    return { success: record.status === 'succeeded', run, pluginOptions };
  } finally {
    // Also after a failure or a stop; a worktree a SIGKILL leaves is swept by the next run.
    const removal = workspace.close();
    if (removal?.keptBranch) log(`${key} the worktree held commits found nowhere else: they are on branch ${removal.keptBranch.name}`);
    taskLimits.finish();
  }
}

/** The record of a task the run budget did not let start: it spent nothing. */
function skippedRecord(run: ResolvedTaskRun, project: string, upstream: Array<{ project: string; task: string }>, reason: string): RunRecord {
  const now = new Date().toISOString();
  return {
    schemaVersion: 1,
    project,
    task: run.task.id,
    spec: run.task.file,
    status: 'skipped',
    skipped: { reason: 'budget', details: reason },
    agent: run.agent.name,
    provider: run.agent.provider,
    model: run.agent.profile.model ?? '',
    attempts: 0,
    turns: 0,
    tokens: { input: 0, output: 0 },
    // Nothing was sent: zero tokens cost nothing at any price.
    costUsd: 0,
    costSource: 'price-table',
    startedAt: now,
    endedAt: now,
    durationMs: 0,
    summary: '',
    filesWritten: [],
    upstream: upstream.map((item) => `${item.project}:${item.task}`),
    ...(run.task.extra ? { sourceFields: run.task.extra } : {}),
  };
}

/** An agent target resolved for running, or the message that says why it cannot run. */
export type AgentTargetResolution = { ok: true; run: ResolvedTaskRun; pluginOptions: NormalizedPluginOptions } | { ok: false; message: string };

/**
 * Resolves an agent target the way createNodes did (resolveTaskRun): its spec read now, its
 * plugin registration and profiles. The batch executor also calls it before anything runs,
 * to weight each task by its agent and script.
 */
export function resolveAgentTarget({
  options,
  taskId,
  projectName,
  context,
  parsedSpecs,
}: Pick<AgentTargetRun, 'options' | 'taskId' | 'projectName' | 'context'> & {
  /** Spec files already parsed (by workspace-relative path), filled as it goes: one parse per file for many tasks. */
  parsedSpecs?: Map<string, ParsedSpecFile | undefined>;
}): AgentTargetResolution {
  if (options.error) return { ok: false, message: `Invalid agent task spec, fix it and run again:\n${options.error}` };
  const parsed = parsedSpec(context.root, options.spec, parsedSpecs);
  if (parsed === undefined) {
    return {
      ok: false,
      message: `The spec file ${options.spec} of ${taskId} is gone: the project graph is older than the workspace. Run the command again (or \`nx reset\`).`,
    };
  }
  const pluginOptions = normalizePluginOptions(
    findPluginOptions(context.root, context.nxJsonConfiguration?.plugins as PluginEntry[] | undefined, options.spec),
  );
  // A project node of its own (a file worker) works in its owner's folder.
  const { owner, ...project } = workProjectOf(projectName, context.projectsConfigurations.projects[projectName]);
  // A forEach worker is not in its spec: the template is, filled for the worker's item as createNodes filled it.
  const spec = specOfTarget(parsed, options, owner);
  const resolution = resolveTaskRun(spec, options.task, {
    project,
    options: pluginOptions,
    subagents: loadSubagentProfiles(context.root).profiles,
  });
  if (!resolution.ok) return { ok: false, message: `Invalid agent task spec, fix it and run again:\n${describeProblems(resolution.problems)}` };
  return { ok: true, run: resolution.run, pluginOptions };
}

/** The parsed spec file (from `cache` when it holds it, which it then does), or undefined when the file no longer exists. */
function parsedSpec(root: string, spec: string, cache: Map<string, ParsedSpecFile | undefined> | undefined): ParsedSpecFile | undefined {
  if (cache?.has(spec)) return cache.get(spec);
  const text = readSpec(root, spec);
  const parsed = text === undefined ? undefined : parseSpecFile(spec, text);
  cache?.set(spec, parsed);
  return parsed;
}

/** The spec file's text, or undefined when it no longer exists. */
function readSpec(root: string, spec: string): string | undefined {
  try {
    return readFileSync(join(root, spec), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The agent tasks `taskId` depends on directly, from Nx's task graph: by executor, with the task id from their options. */
function upstreamAgentTasks(taskId: string, context: AgentTargetRun['context']): Array<{ project: string; task: string }> {
  const graph = context.taskGraph;
  const edges = (graph?.dependencies[taskId] ?? []) as Array<string | { id: string }>;
  return edges.flatMap((edge) => {
    const upstream = graph!.tasks[typeof edge === 'string' ? edge : edge.id];
    const target = upstream && context.projectsConfigurations.projects[upstream.target.project]?.targets?.[upstream.target.target];
    const task = (target?.options as AgentTargetOptions | undefined)?.task;
    return isAgentTarget(target) && task ? [{ project: upstream.target.project, task }] : [];
  });
}
