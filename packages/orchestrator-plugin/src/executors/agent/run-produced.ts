import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { producedProjectName } from '../../graph/produced-project';
import { resolvePattern } from '../../graph/upstream-outputs';
import { readRunRecord, writeRunRecord } from '../../runs/run-record';
import type { ResolvedTaskRun } from '../../task-spec/resolved-task-run';
import { nestedRunCommand, parentNxArguments, runNested, type NestedRunRequest } from './nested-run';
import { checkProducedList } from './produced-list';
import { snapshotProjectGraph } from './project-graph-snapshot';

/** What running an analysis task's produced list needs. */
export interface RunProducedRequest {
  workspaceRoot: string;
  /** The analysis task, resolved; its agent (and verify checks) succeeded. */
  run: ResolvedTaskRun;
  /** The analysis task's project. */
  project: string;
  /** Its Nx task id, `project:target`. */
  taskId: string;
  /** The plugin's aggregate target name (`agent`): the nested run runs the produced project's. */
  aggregateTarget: string;
  /** This invocation's id (currentRunId). */
  runId: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  log: (line: string) => void;
  /** The nx CLI of the workspace; default resolved from the workspace root. */
  nxBin?: string;
  /** The parent nx's command line; default read from the process table. */
  parentArguments?: readonly string[];
  spawn?: NestedRunRequest['spawn'];
  /** Nx's workspace data folder, where it caches the project graph; default the one Nx uses. */
  workspaceDataFolder?: string;
}

/**
 * After an analysis task's agent succeeded: checks the task list it wrote (a missing or
 * unparsable list fails the task, with the file and the problems, and nothing of it runs), marks
 * the record with the list (final from here: the produced tasks are hashed over it), then runs the
 * list in a nested `nx run <project>--<task>:agent` and succeeds when that does. See docs/fan-out.md.
 */
export async function runProduced(request: RunProducedRequest): Promise<boolean> {
  const { workspaceRoot, run, project, taskId, log } = request;
  const file = resolvePattern(run.task.produces!, run.project.root);
  const check = checkProducedList({ workspaceRoot, file, produces: run.task.produces!, analysis: taskId });
  const record = readRunRecord(workspaceRoot, project, run.task.id);
  if (!record) {
    log(`${taskId}: its run record is missing after a successful run, so its produced list does not run`);
    return false;
  }
  if (!check.ok) {
    writeRunRecord(workspaceRoot, { ...record, status: 'failed', error: check.message });
    log(`${taskId} failed: ${check.message}`);
    return false;
  }
  const producedProject = producedProjectName(project, run.task.id);
  // The last write of the analysis task's outputs: the nested run hashes the produced tasks over them, as the next invocation will.
  writeRunRecord(workspaceRoot, { ...record, produced: { file, project: producedProject, runId: request.runId, tasks: check.tasks } });
  if (!check.tasks.length) {
    log(`${taskId}: ${file} lists no task, so nothing more runs`);
    return true;
  }
  const target = `${producedProject}:${request.aggregateTarget}`;
  const command = nestedRunCommand({
    nxBin: request.nxBin ?? require.resolve('nx/bin/nx.js', { paths: [workspaceRoot] }),
    target,
    analysisTaskId: taskId,
    parentArguments: request.parentArguments ?? parentNxArguments(),
    env: request.env,
  });
  log(`${taskId} produced ${check.tasks.length} task${check.tasks.length === 1 ? '' : 's'} in ${file}: nx ${command.args.slice(1).join(' ')}`);
  let result: Awaited<ReturnType<typeof runNested>>;
  const graph = snapshotProjectGraph(request.workspaceDataFolder ?? workspaceDataDirectory);
  try {
    result = await runNested({ workspaceRoot, args: command.args, env: command.env, signal: request.signal, log, spawn: request.spawn });
  } catch (error) {
    log(`${taskId}: the nested nx run could not start: ${(error as Error).message}`);
    return false;
  } finally {
    graph.restore();
  }
  if (!result.success)
    log(
      `${taskId}: the produced tasks of ${file} did not all succeed (nested nx ${result.signal ? `stopped by ${result.signal}` : `exited with ${result.exitCode}`}); its record and cache entry stay, so the next run re-runs only what failed`,
    );
  return result.success;
}
