import type { NxJsonConfiguration, ProjectGraph, TaskGraph } from '@nx/devkit';

/**
 * Which tasks a command selects, in the terms of Nx's own commands: `run-many` (targets,
 * projects, exclude), `affected` (the same, plus base/head/files), or `run` (explicit tasks).
 */
export interface PlanSelection {
  command: 'run-many' | 'affected' | 'run';
  targets: string[];
  /** run-many: project names or patterns (empty: every project with the targets). run: the one project. */
  projects?: string[];
  exclude?: string[];
  configuration?: string;
  base?: string;
  head?: string;
  files?: string[];
  uncommitted?: boolean;
  untracked?: boolean;
}

export interface SelectedTasks {
  projectGraph: ProjectGraph;
  taskGraph: TaskGraph;
  nxJson: NxJsonConfiguration;
}

/**
 * The task graph Nx would run for a selection, computed with Nx's own functions (the same
 * argument handling, project matching, affected logic and task-graph construction as
 * `nx run-many` / `nx affected` / `nx run`), so the plan is the run's plan. Nx's internals
 * load here, on first use, never when the plugin loads.
 */
export async function selectTasks(selection: PlanSelection, projectGraph?: ProjectGraph): Promise<SelectedTasks> {
  /* eslint-disable @typescript-eslint/no-require-imports -- Nx's internals, loaded on first use */
  const { readNxJson } = require('nx/src/config/nx-json') as typeof import('nx/src/config/nx-json');
  const { createProjectGraphAsync } = require('nx/src/project-graph/project-graph') as typeof import('nx/src/project-graph/project-graph');
  const { splitArgsIntoNxArgsAndOverrides } = require('nx/src/utils/command-line-utils') as typeof import('nx/src/utils/command-line-utils');
  const { selectTasksForProjects } = require('nx/src/tasks-runner/run-command') as typeof import('nx/src/tasks-runner/run-command');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const nxJson = readNxJson();
  const graph = projectGraph ?? (await createProjectGraphAsync({ exitOnError: false }));
  const mode = selection.command === 'affected' ? 'affected' : 'run-many';
  const args: Record<string, unknown> = {
    targets: selection.targets,
    projects: selection.projects ?? [],
    exclude: selection.exclude ?? [],
    all: selection.command === 'run-many' && !selection.projects?.length,
    ...(selection.configuration ? { configuration: selection.configuration } : {}),
    ...(selection.base ? { base: selection.base } : {}),
    ...(selection.head ? { head: selection.head } : {}),
    ...(selection.files?.length ? { files: selection.files } : {}),
    ...(selection.uncommitted ? { uncommitted: true } : {}),
    ...(selection.untracked ? { untracked: true } : {}),
    __overrides_unparsed__: [],
  };
  const { nxArgs, overrides } = splitArgsIntoNxArgsAndOverrides(args as never, mode, { printWarnings: false }, nxJson);

  if (selection.command === 'run') {
    const { taskGraph } = selectTasksForProjects(graph, selection.projects ?? [], nxArgs, overrides, {}, false);
    return { projectGraph: graph, taskGraph, nxJson };
  }
  if (selection.command === 'run-many') {
    const { projectsToRun } = require('nx/src/command-line/run-many/run-many') as typeof import('nx/src/command-line/run-many/run-many'); // eslint-disable-line @typescript-eslint/no-require-imports
    const names = projectsToRun(nxArgs, graph).map((project) => project.name);
    return { projectGraph: graph, taskGraph: selectTasksForProjects(graph, names, nxArgs, overrides, {}, false).taskGraph, nxJson };
  }
  return { projectGraph: graph, taskGraph: await selectAffected(graph, nxArgs, overrides, nxJson), nxJson };
}

/** `nx affected`'s two ways of choosing: the affected tasks (Nx 24's default), or every task of the affected projects. */
async function selectAffected(
  graph: ProjectGraph,
  nxArgs: Record<string, any>,
  overrides: Record<string, unknown>,
  nxJson: NxJsonConfiguration,
): Promise<TaskGraph> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { selectsAffectedTasks, computeAffectedTasks } =
    require('nx/src/project-graph/affected/affected-tasks') as typeof import('nx/src/project-graph/affected/affected-tasks');
  const { calculateFileChanges } = require('nx/src/project-graph/file-utils') as typeof import('nx/src/project-graph/file-utils');
  const { parseFiles } = require('nx/src/utils/command-line-utils') as typeof import('nx/src/utils/command-line-utils');
  const { selectTasksForProjects, runnerInputsForSelection } = require('nx/src/tasks-runner/run-command') as typeof import('nx/src/tasks-runner/run-command');
  const { getAffectedGraphNodes } = require('nx/src/command-line/affected/affected') as typeof import('nx/src/command-line/affected/affected');
  /* eslint-enable @typescript-eslint/no-require-imports */
  if (selectsAffectedTasks(nxJson)) {
    const { taskSelection } = await computeAffectedTasks({
      projectGraph: graph,
      nxJson,
      targets: nxArgs.targets,
      touchedFiles: calculateFileChanges(parseFiles(nxArgs as never).files, nxArgs as never),
      fileChangeArgs: { base: nxArgs.base, head: nxArgs.head, files: nxArgs.files },
      configuration: nxArgs.configuration,
      overrides,
      extraTargetDependencies: {},
      excludeTaskDependencies: false,
      exclude: nxArgs.exclude,
      ...(await runnerInputsForSelection(nxArgs as never, nxJson)),
    });
    return taskSelection.taskGraph;
  }
  const projects = await getAffectedGraphNodes(nxArgs as never, graph);
  const names = projects.filter((project) => (nxArgs.targets as string[]).some((target) => project.data.targets?.[target])).map((project) => project.name);
  return selectTasksForProjects(graph, names, nxArgs as never, overrides, {}, false).taskGraph;
}
