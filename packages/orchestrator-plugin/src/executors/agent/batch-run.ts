import type { ExecutorContext, TaskGraph } from '@nx/devkit';
import type { StopCheck } from '../../agents/stop-check';
import type { RunLimits } from '../../limits/task-limits';
import { readRunRecord } from '../../runs/run-record';
import type { ParsedSpecFile } from '../../task-spec/parsed-spec-file';
import { batchExpectedDurations, type DurationEvidence } from './batch-expected-durations';
import { BatchSchedule, type SkippedTask } from './batch-schedule';
import { resolveAgentTarget, runAgentTarget, type AgentTargetRun } from './run-agent-target';
import type { AgentExecutorOptions } from './schema';

/** What Nx expects per task from a batch implementation (not re-exported by @nx/devkit). */
export interface BatchTaskResult {
  success: boolean;
  terminalOutput: string;
  startTime: number;
  endTime: number;
  /** `skipped` for a task that never ran because a task it needs failed, or the batch was stopped. */
  status?: 'success' | 'failure' | 'skipped';
}

/** One finished (or skipped) task, as the batch yields it to Nx. */
export interface BatchTaskOutcome {
  task: string;
  result: BatchTaskResult;
}

/** What running one batch needs: Nx's half, and the I/O it may be given instead of the real one. */
export interface AgentBatchRequest {
  taskGraph: TaskGraph;
  inputs: Record<string, AgentExecutorOptions>;
  context: AgentTargetRun['context'] & Pick<ExecutorContext, 'root'>;
  /** At most this many agents at once. */
  parallel: number;
  /** Aborts every running agent and starts nothing more. */
  signal: AbortSignal;
  /** Checked before a run is recorded as a success (see tree-kill-sentinel). */
  stopRequested: (check: StopCheck) => boolean | Promise<boolean>;
  /** The run's limits, shared by the batch's tasks; default: opened on the first task that runs. */
  limits?: RunLimits;
  /** Runs one task; default: runAgentTarget. */
  runTask?: (run: AgentTargetRun) => Promise<boolean>;
  /** What is known about a task's duration; default: its run record, agent and script. */
  durationEvidence?: (task: string) => DurationEvidence;
  /** Where task lines go as they come; default: stdout. */
  write?: (text: string) => void;
  now?: () => number;
}

/**
 * Runs a batch of agent tasks in one process, by critical path: whenever a slot is free the
 * ready task with the longest expected remaining path starts (BatchSchedule), each task
 * weighted by its expected duration (batchExpectedDurations: its last successful run, else its
 * script, its profile's history, the batch's). Yields each task as it ends; a task that needs
 * a failed one is skipped, and after a stop every task not started is.
 */
export async function* runAgentBatch(request: AgentBatchRequest): AsyncGenerator<BatchTaskOutcome> {
  const { taskGraph, inputs, context, parallel, signal, stopRequested } = request;
  const runTask = request.runTask ?? runAgentTarget;
  const write = request.write ?? ((text: string) => void process.stdout.write(text));
  const now = request.now ?? Date.now;
  const parsedSpecs = new Map<string, ParsedSpecFile | undefined>();
  const evidence = request.durationEvidence ?? ((task: string) => recordedEvidence(task, request, parsedSpecs));
  const ids = Object.keys(taskGraph.tasks);
  const expected = batchExpectedDurations(ids.map(evidence));
  // A task whose provider's pool is full does not start: its --parallel slot goes to a task of another provider.
  const pools = Object.fromEntries(ids.map((task) => [task, providerPool(task, request, parsedSpecs)]));
  const poolLimits: Record<string, number> = {};
  for (const pool of Object.values(pools)) if (pool?.limit !== undefined) poolLimits[pool.provider] = pool.limit;
  const schedule = new BatchSchedule({
    parallel,
    poolLimits,
    tasks: Object.fromEntries(
      ids.map((task) => [
        task,
        {
          dependencies: dependenciesOf(taskGraph, task),
          expectedDurationMs: expected[task].ms,
          ...(pools[task]?.limit !== undefined ? { pool: pools[task]!.provider } : {}),
        },
      ]),
    ),
  });
  const limits = request.limits;
  const running = new Map<string, Promise<BatchTaskOutcome>>();
  const stopped = new Promise<'stopped'>((resolve) => {
    if (signal.aborted) resolve('stopped');
    else signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });

  const start = (task: string) => {
    const lines: string[] = [];
    const startTime = now();
    const log = (line: string) => {
      lines.push(line);
      write(`[${task}] ${line.split('\n').join(`\n[${task}] `)}\n`);
    };
    const run = runTask({ options: inputs[task], taskId: task, projectName: taskGraph.tasks[task].target.project, context, signal, stopRequested, log, limits })
      .catch((error: Error) => {
        log(error.message);
        return false;
      })
      .then((success): BatchTaskOutcome => ({ task, result: { success, terminalOutput: `${lines.join('\n')}\n`, startTime, endTime: now() } }));
    running.set(task, run);
  };
  const startWhatCan = () => {
    for (const task of schedule.takeStartable()) start(task);
  };
  const skip = ({ task, ...skipped }: SkippedTask): BatchTaskOutcome => {
    const reason =
      skipped.reason === 'dependency-failed'
        ? `not run: ${skipped.dependency} failed`
        : skipped.reason === 'stopped'
          ? 'not run: the batch was stopped'
          : 'not run: its dependencies never completed in this batch';
    return { task, result: { success: false, status: 'skipped', terminalOutput: `${reason}\n`, startTime: now(), endTime: now() } };
  };

  while (!schedule.done) {
    if (signal.aborted) yield* schedule.stop().map(skip);
    else startWhatCan();
    if (!running.size) {
      yield* schedule.skipUnreachable().map(skip);
      continue;
    }
    const finished = await Promise.race([...running.values(), ...(signal.aborted ? [] : [stopped])]);
    if (finished === 'stopped') continue;
    running.delete(finished.task);
    const skipped = schedule.finish(finished.task, finished.result.success);
    // Its dependents start before Nx hears of it: the generator pauses at each yield.
    if (!signal.aborted) startWhatCan();
    yield finished;
    yield* skipped.map(skip);
  }
}

/** A task's direct dependencies in the batch's graph (Nx gives `{ id }` edges; older versions gave strings). */
function dependenciesOf(taskGraph: TaskGraph, task: string): string[] {
  return ((taskGraph.dependencies[task] ?? []) as Array<string | { id: string }>).map((edge) => (typeof edge === 'string' ? edge : edge.id));
}

/** The task's provider and that provider's pool size from the plugin options, where it can be resolved. */
function providerPool(
  task: string,
  { taskGraph, inputs, context }: AgentBatchRequest,
  parsedSpecs: Map<string, ParsedSpecFile | undefined>,
): { provider: string; limit?: number } | undefined {
  try {
    const resolution = resolveAgentTarget({ options: inputs[task], taskId: task, projectName: taskGraph.tasks[task].target.project, context, parsedSpecs });
    if (!resolution.ok) return undefined;
    const provider = resolution.run.agent.provider;
    return { provider, limit: resolution.pluginOptions.concurrency[provider] };
  } catch {
    return undefined;
  }
}

/** Its last successful run from its record (read before anything runs: a run clears its record), its agent and script; each spec file parsed once. */
function recordedEvidence(
  task: string,
  { taskGraph, inputs, context }: AgentBatchRequest,
  parsedSpecs: Map<string, ParsedSpecFile | undefined>,
): DurationEvidence {
  const projectName = taskGraph.tasks[task].target.project;
  let resolution: ReturnType<typeof resolveAgentTarget> | undefined;
  try {
    resolution = resolveAgentTarget({ options: inputs[task], taskId: task, projectName, context, parsedSpecs });
  } catch {
    // A setup failure (bad plugin options) fails the task when it runs, with the message; here it only weighs nothing.
  }
  if (!resolution?.ok) return { task };
  const record = readRunRecord(context.root, projectName, resolution.run.task.id);
  return {
    task,
    agent: resolution.run.agent.name,
    ...(record?.status === 'succeeded' ? { lastSucceededMs: record.durationMs } : {}),
    ...(resolution.run.script?.duration !== undefined ? { scriptMs: resolution.run.script.duration } : {}),
  };
}
