import { quote } from '../task-spec/bounded-text';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import { patternOutsideWorkspace } from '../task-spec/path-safety';
import type { TaskSpec } from '../task-spec/schema';
import type { SpecProblem } from '../task-spec/spec-error';
import type { SpecFileInput } from './agent-graph';
import { formatProducedBy, producedProjectName, producedProjectRoot } from './produced-project';
import { resolvePattern } from './upstream-outputs';
import { toWorkspacePattern } from './targets';

/** How deep a produced list may itself produce lists, read in one graph computation. */
const MAX_PRODUCED_DEPTH = 5;

/** What the plugin layer gives the produced-list reader. */
export interface ProducedSpecsFacts {
  /** A workspace-relative spec file, parsed; undefined when it does not exist (the analysis has not run yet). */
  read: (file: string) => ParsedSpecFile | undefined;
  /** Names of the workspace's projects that no spec file defines (project.json, package.json), for collisions. */
  projectNames: () => ReadonlySet<string>;
}

/**
 * Pure: the spec inputs with every produced task list in place. A task that `produces` a list
 * (an analysis task) gets the list's tasks in one project node of their own,
 * `<project>--<analysis id>` rooted at a file-less `<project root>/.agent-produced/<analysis id>`
 * and working in the analysis task's project root; each of them depends on the analysis task
 * (ordered after it, given its summary, keyed by its outputs) and names it (`producedBy`). Ids in
 * a list resolve within the list. The list file is not also read as an ordinary spec of the
 * project around it. A list that does not exist yet adds nothing (the first run); its problems are
 * reported like any spec file's; a produced project name that is taken is a problem of the
 * analysis task (Nx stops on a duplicate project name).
 */
export function withProducedSpecs(inputs: readonly SpecFileInput[], facts: ProducedSpecsFacts): SpecFileInput[] {
  const producedFiles = new Set<string>();
  const analyses = collectAnalyses(inputs, producedFiles);
  if (!analyses.length) return [...inputs];
  let names: ReadonlySet<string> | undefined;
  const taken = () => (names ??= new Set([...facts.projectNames(), ...inputs.map((input) => input.project.name)]));
  const extraProblems = new Map<SpecFileInput, SpecProblem[]>();
  const produced: SpecFileInput[] = [];
  let pending = analyses;
  for (let depth = 0; depth < MAX_PRODUCED_DEPTH && pending.length; depth++) {
    const next: typeof analyses = [];
    for (const analysis of pending) {
      const parsed = facts.read(analysis.file);
      if (!parsed) continue;
      const name = producedProjectName(analysis.input.project.name, analysis.task.id);
      if (taken().has(name)) {
        const problems = extraProblems.get(analysis.input) ?? [];
        problems.push({
          code: 'duplicate-id',
          file: analysis.task.file,
          line: analysis.task.line,
          taskId: analysis.task.id,
          message: `task ${quote(analysis.task.id)} produces ${quote(analysis.file)}, whose tasks go into project ${quote(name)}, but a project of that name exists: rename the task or that project`,
        });
        extraProblems.set(analysis.input, problems);
        continue;
      }
      const input = producedInput(analysis, parsed, name);
      produced.push(input);
      next.push(...collectAnalyses([input], producedFiles));
    }
    pending = next;
  }
  const ordinary = inputs
    .filter((input) => !producedFiles.has(input.parsed.file))
    .map((input) => {
      const problems = extraProblems.get(input);
      return problems ? { ...input, parsed: { ...input.parsed, problems: [...input.parsed.problems, ...problems] } } : input;
    });
  return [...ordinary, ...produced];
}

interface Analysis {
  input: SpecFileInput;
  task: TaskSpec;
  /** The produced list, workspace-relative. */
  file: string;
}

/** The analysis tasks of `inputs` whose list stays inside the workspace (one outside is the graph's path problem), each list once. */
function collectAnalyses(inputs: readonly SpecFileInput[], producedFiles: Set<string>): Analysis[] {
  const analyses: Analysis[] = [];
  for (const input of inputs) {
    for (const task of input.parsed.tasks) {
      if (task.produces === undefined || patternOutsideWorkspace(task.produces, input.project.root)) continue;
      const file = resolvePattern(task.produces, input.project.root);
      // Two analyses writing one list: the second's list is the first's (the graph reports their overlapping outputs).
      if (producedFiles.has(file) || file === task.file) continue;
      producedFiles.add(file);
      analyses.push({ input, task, file });
    }
  }
  return analyses;
}

/** The list's tasks as they run: in their own project node, after the analysis, with paths in workspace form. */
function producedInput(analysis: Analysis, parsed: ParsedSpecFile, name: string): SpecFileInput {
  const { project } = analysis.input;
  const producedBy = formatProducedBy({ project: project.name, task: analysis.task.id });
  const after = `${project.name}:${analysis.task.id}`;
  const tasks = parsed.tasks.map((task) => ({
    ...task,
    producedBy,
    dependsOn: [...new Set([after, ...task.dependsOn])],
    // A project node owns no file, and Nx's hasher fails on its {projectRoot} file sets: paths are written from the workspace root.
    inputs: task.inputs.map((pattern) => toWorkspacePattern(pattern, project.root)),
    outputs: task.outputs.map((pattern) => toWorkspacePattern(pattern, project.root)),
    writes: task.writes.map((pattern) => toWorkspacePattern(pattern, project.root)),
  }));
  return {
    project: {
      name,
      root: project.root,
      inferred: false,
      node: { root: producedProjectRoot(project.node?.root ?? project.root, analysis.task.id), owner: project.node?.owner ?? project.name, tags: [] },
    },
    parsed: { ...parsed, tasks },
  };
}
