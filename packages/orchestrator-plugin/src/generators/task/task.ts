import { posix } from 'node:path';
import { getProjects, joinPathFragments, type ProjectConfiguration, type Tree } from '@nx/devkit';
import { Document, visit } from 'yaml';
import { closestMatch } from '../../task-spec/closest-match';
import { parseAgentMarkdown } from '../../task-spec/parse-agent-markdown';
import { TASK_ID_PATTERN, TASK_ID_RULE } from '../../task-spec/schema';
import { formatSpecProblem } from '../../task-spec/spec-error';
import type { TaskGeneratorSchema } from './schema';

/** Where a project's task files go when no directory is given. */
const PROJECT_TASK_FOLDER = 'agent-tasks';

/** The frontmatter fields the generator can write, in the order they are written. */
interface TaskFrontmatter {
  description?: string;
  agent?: string;
  dependsOn?: string[];
}

/** The task generator's options, checked and resolved: what gets written where. */
export interface NormalizedTaskOptions {
  id: string;
  /** Workspace-relative path of the new `*.agent.md` file. */
  file: string;
  frontmatter: TaskFrontmatter;
  prompt: string;
}

/**
 * Scaffolds one task spec, `<directory>/<name>.agent.md`, with a frontmatter holding only
 * the fields that were given (the id is the file name, so it is never written) and the
 * prompt below it. Refuses to overwrite an existing file. The written text is parsed back
 * with the plugin's own parser before it is written, so a generated spec always loads.
 */
export function taskGenerator(tree: Tree, options: TaskGeneratorSchema): void {
  const normalized = normalizeOptions(tree, options);
  if (tree.exists(normalized.file)) {
    throw new Error(`${normalized.file} already exists: the task generator never overwrites a spec. Pick another --name, or edit that file instead.`);
  }
  const content = renderAgentMarkdown(normalized.frontmatter, normalized.prompt);
  const parsed = parseAgentMarkdown(normalized.file, content);
  if (parsed.problems.length > 0) {
    // Only reachable through option values the checks above did not foresee; better no file than a broken one.
    throw new Error(`the generated spec would not load:\n${parsed.problems.map(formatSpecProblem).join('\n')}`);
  }
  tree.write(normalized.file, content);
}

/** Checks every option and resolves the file's place; each error says how to fix it. */
export function normalizeOptions(tree: Tree, options: TaskGeneratorSchema): NormalizedTaskOptions {
  const id = (options.name ?? '').trim();
  if (!TASK_ID_PATTERN.test(id)) {
    throw new Error(`--name "${id}" is not a valid task id: use ${TASK_ID_RULE} (it becomes the target agent--<name> and the file <name>.agent.md)`);
  }
  const directory = resolveDirectory(tree, options);
  const dependsOn = parseDependsOn(options.dependsOn, id, options.project);
  const frontmatter: TaskFrontmatter = {};
  const description = options.description?.trim();
  if (description) frontmatter.description = description;
  const agent = options.agent?.trim();
  if (agent) frontmatter.agent = agent;
  if (dependsOn.length > 0) frontmatter.dependsOn = dependsOn;
  if (options.prompt !== undefined && !options.prompt.trim()) {
    throw new Error('--prompt is empty: leave it out to get a TODO prompt to fill in, or give the instructions for the agent');
  }
  const prompt = options.prompt?.trim() ?? defaultPrompt(id);
  return { id, file: joinPathFragments(directory, `${id}.agent.md`), frontmatter, prompt };
}

/**
 * Splits `dependsOn` (a list, a comma-separated string, or a list of those, as the CLI and
 * programmatic callers pass it) into unique `task` / `project:task` entries.
 */
export function parseDependsOn(value: string | string[] | undefined, taskId: string, project?: string): string[] {
  const entries = (Array.isArray(value) ? value : [value ?? ''])
    .flatMap((entry) => String(entry).split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const entry of entries) {
    // Task ids cannot contain ":", so the last ":" separates the project from the task.
    const separator = entry.lastIndexOf(':');
    const dependencyProject = separator === -1 ? undefined : entry.slice(0, separator);
    const dependencyId = entry.slice(separator + 1);
    if (dependencyProject === '' || !TASK_ID_PATTERN.test(dependencyId)) {
      throw new Error(`--dependsOn entry "${entry}" is not "task" or "project:task": task ids use ${TASK_ID_RULE}`);
    }
    const sameProject = dependencyProject === undefined || dependencyProject === project;
    if (sameProject && dependencyId === taskId) {
      throw new Error(`--dependsOn "${entry}" is the task itself: a task cannot wait for itself`);
    }
  }
  return [...new Set(entries)];
}

/** The file text: a YAML frontmatter when there are fields, then the prompt. */
export function renderAgentMarkdown(frontmatter: TaskFrontmatter, prompt: string): string {
  const hasFields = Object.keys(frontmatter).length > 0;
  // Without a frontmatter, a prompt opening with "---" would be read as one, so it gets an empty one.
  if (!hasFields && !/^---[ \t]*(?:\r?\n|$)/.test(prompt)) return `${prompt}\n`;
  const document = new Document(frontmatter);
  // Flow style (`dependsOn: [a, b]`) is how the design writes lists; it keeps short lists on one line.
  visit(document, { Seq: (_key, node) => void (node.flow = true) });
  const yaml = hasFields ? document.toString({ lineWidth: 0, flowCollectionPadding: false }) : '';
  return `---\n${yaml}---\n\n${prompt}\n`;
}

function defaultPrompt(id: string): string {
  return [
    `TODO: write the prompt for task "${id}" here, in markdown, as you would brief a colleague:`,
    '',
    '- the goal, and why it matters;',
    '- the files to read first and the files to change;',
    '- how to tell the work is done (commands to run, checks to pass).',
    '',
    'The agent starts with no other context: it sees this prompt, the inputs declared in the',
    'frontmatter, and the final summaries of the tasks in dependsOn.',
  ].join('\n');
}

/** The workspace-relative folder of the new file, from --directory or the project's root. */
function resolveDirectory(tree: Tree, options: TaskGeneratorSchema): string {
  const projectName = options.project?.trim() || undefined;
  const directoryOption = options.directory?.trim() || undefined;
  if (!projectName && !directoryOption) {
    throw new Error(
      `say where the task goes: --project <name> (the file goes to <projectRoot>/${PROJECT_TASK_FOLDER}/) or --directory <workspace-relative folder>`,
    );
  }
  const directory = directoryOption === undefined ? undefined : normalizeDirectory(directoryOption);
  if (!projectName) return directory ?? '.';
  const projects = getProjects(tree);
  const project = findProject(projectName, projects);
  if (directory === undefined) return joinPathFragments(project.root, PROJECT_TASK_FOLDER);
  // A task file belongs to the nearest enclosing project, so a folder elsewhere would silently move the task.
  const owner = owningProject(directory, projects);
  if (owner !== projectName) {
    const where = owner === undefined ? 'is outside every project' : `belongs to project "${owner}"`;
    throw new Error(
      `--directory "${directory}" ${where}, not to "${projectName}" (root "${project.root}"): give a folder inside ${project.root}, or leave out --project`,
    );
  }
  return directory;
}

function findProject(name: string, projects: Map<string, ProjectConfiguration>): ProjectConfiguration {
  const project = projects.get(name);
  if (project) return project;
  const names = [...projects.keys()].sort();
  const closest = closestMatch(name, names);
  let hint: string;
  if (closest !== undefined) hint = ` Did you mean "${closest}"?`;
  else if (names.length === 0) hint = ' This workspace has no projects: use --directory instead.';
  else hint = ` Projects: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', ...' : ''}.`;
  throw new Error(`project "${name}" not found.${hint}`);
}

/** The project whose root is the deepest folder enclosing `directory`; the root project `.` last. */
function owningProject(directory: string, projects: Map<string, ProjectConfiguration>): string | undefined {
  let owner: string | undefined;
  let ownerDepth = -1;
  for (const [name, project] of projects) {
    const root = normalizeDirectory(project.root);
    const encloses = root === '.' || directory === root || directory.startsWith(`${root}/`);
    const depth = root === '.' ? 0 : root.split('/').length;
    if (encloses && depth > ownerDepth) {
      owner = name;
      ownerDepth = depth;
    }
  }
  return owner;
}

/** `./libs\\api/` -> `libs/api`; rejects folders outside the workspace. */
function normalizeDirectory(directory: string): string {
  const slashed = directory.replace(/\\/g, '/');
  if (posix.isAbsolute(slashed) || /^[A-Za-z]:/.test(slashed)) {
    throw new Error(`--directory "${directory}" is absolute: give a folder relative to the workspace root`);
  }
  const normalized = posix.normalize(slashed).replace(/\/+$/, '') || '.';
  if (normalized === '..' || normalized.startsWith('../')) {
    throw new Error(`--directory "${directory}" is outside the workspace: give a folder relative to the workspace root`);
  }
  return normalized;
}

export default taskGenerator;
