import type { NxJsonConfiguration, ProjectGraph, Task, TaskGraph } from '@nx/devkit';
import type { CacheState } from './build-plan';

export interface CacheStateRequest {
  projectGraph: ProjectGraph;
  taskGraph: TaskGraph;
  nxJson: NxJsonConfiguration;
  /** Like `--skip-remote-cache`: look in the local cache only. */
  skipRemoteCache?: boolean;
  /** Like `--skip-nx-cache`: nothing is a hit. */
  skipNxCache?: boolean;
}

export interface TaskCacheState {
  cached: CacheState;
  /** Why a task is not looked up, or what a miss may still become. */
  note?: string;
}

/**
 * Which tasks of a task graph Nx would replay from its cache, decided the way a run decides it:
 * each task hashed by Nx's own task hasher (the daemon's when it runs), looked up in Nx's cache
 * (the local one, then the remote one when one is configured). In dependency order: a task that
 * hashes its dependencies' outputs and depends on a task that would run cannot be known before
 * that run, and is counted as running. A remote hit is fetched into the local cache, as a run
 * would fetch it; nothing is written to the workspace.
 */
export async function findCacheStates({
  projectGraph,
  taskGraph,
  nxJson,
  skipRemoteCache,
  skipNxCache,
}: CacheStateRequest): Promise<Map<string, TaskCacheState>> {
  /* eslint-disable @typescript-eslint/no-require-imports -- Nx's internals, loaded on first use */
  const { createTaskHasher } = require('nx/src/hasher/create-task-hasher') as typeof import('nx/src/hasher/create-task-hasher');
  const { hashTask } = require('nx/src/hasher/hash-task') as typeof import('nx/src/hasher/hash-task');
  const { getInputs } = require('nx/src/hasher/task-hasher') as typeof import('nx/src/hasher/task-hasher');
  const { getTaskSpecificEnv } = require('nx/src/tasks-runner/task-env') as typeof import('nx/src/tasks-runner/task-env');
  const { getCache } = require('nx/src/tasks-runner/cache') as typeof import('nx/src/tasks-runner/cache');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const states = new Map<string, TaskCacheState>();
  const order = topologicalOrder(taskGraph);
  if (skipNxCache) {
    for (const id of order) states.set(id, { cached: false, note: 'the cache is skipped' });
    return states;
  }
  const hasher = createTaskHasher(projectGraph, nxJson, {});
  const cache = getCache({ skipRemoteCache: skipRemoteCache ?? false } as never);
  if ('init' in cache) await cache.init();
  for (const id of order) {
    const task: Task = taskGraph.tasks[id];
    if (!task.cache) {
      states.set(id, { cached: false, note: 'not cacheable' });
      continue;
    }
    const upstreamRunning = dependenciesOf(taskGraph, id).find((dependency) => !states.get(dependency)?.cached);
    if (upstreamRunning && getInputs(task, projectGraph, nxJson).depsOutputs.length > 0) {
      states.set(id, { cached: false, note: `hashes the outputs of ${upstreamRunning}, which runs first` });
      continue;
    }
    // A copy: hashing sets `hash` on the task, and the caller's graph stays as it was given.
    const hashed: Task = { ...task };
    await hashTask(hasher, projectGraph, { ...taskGraph, tasks: { ...taskGraph.tasks, [id]: hashed } }, hashed, getTaskSpecificEnv(hashed, projectGraph), null);
    const hit = await cache.get(hashed);
    states.set(id, hit ? { cached: hit.remote ? 'remote' : 'local' } : { cached: false });
  }
  return states;
}

function dependenciesOf(taskGraph: TaskGraph, id: string): string[] {
  return ((taskGraph.dependencies[id] ?? []) as Array<string | { id: string }>)
    .map((edge) => (typeof edge === 'string' ? edge : edge.id))
    .filter((dependency) => dependency in taskGraph.tasks);
}

/** Task ids, every task after the tasks it depends on. */
export function topologicalOrder(taskGraph: TaskGraph): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const dependency of dependenciesOf(taskGraph, id)) visit(dependency);
    order.push(id);
  };
  for (const id of Object.keys(taskGraph.tasks).sort()) visit(id);
  return order;
}

/** The dependencies of each task of a task graph, as plain task ids (Nx 24 stores `{ id }` edges). */
export function taskDependencies(taskGraph: TaskGraph): Map<string, string[]> {
  return new Map(Object.keys(taskGraph.tasks).map((id) => [id, dependenciesOf(taskGraph, id)]));
}
