import { minimatch } from 'minimatch';
import { describeError, quote } from '../task-spec/bounded-text';
import { TASK_ID_PATTERN, type ScriptSpec, type TaskSpec } from '../task-spec/schema';
import type { SpecProblem } from '../task-spec/spec-error';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import type { SpecFileInput, SpecProject } from './agent-graph';
import { resolvePattern } from './upstream-outputs';

/** A project a `forEach: { projects }` template can fan out over, as the plugin layer read it. */
export interface ForEachProject {
  name: string;
  root: string;
  tags: readonly string[];
}

/** What the plugin layer gathered for the templates: the workspace's projects and, per workspace-relative glob, its files. */
export interface ForEachFacts {
  projects: readonly ForEachProject[];
  filesByGlob: ReadonlyMap<string, readonly string[]>;
  /** Every project name the workspace already has (the root's too): a worker's project node never takes one. */
  takenNames?: ReadonlySet<string>;
}

/** A dependency on every worker of a template: `migrate/{each}` or `project:migrate/{each}`. */
const EACH_SUFFIX = '/{each}';
/** The folder (in the template's project, holding no file) under which file workers' project nodes are rooted. */
const WORKER_FOLDER = '.agent-workers';
/** Longest slug kept whole; a longer one is cut and made unique by a hash of the full path. */
const MAX_SLUG = 80;

/**
 * The workspace-relative globs the file templates in `inputs` fan out over, for the plugin layer
 * to match against the workspace's files (this layer reads no disk).
 */
export function forEachFileGlobs(inputs: readonly SpecFileInput[]): string[] {
  const globs = new Set<string>();
  for (const { parsed, project } of inputs)
    for (const task of parsed.tasks) for (const glob of task.forEach?.files ?? []) globs.add(resolvePattern(glob, project.root));
  return [...globs];
}

interface Item {
  project: { name: string; root: string; inferred: boolean };
  /** Set for a file item: the file relative to the task's project root. */
  file?: string;
  /** The worker's id before collisions are resolved. */
  id: string;
  /** What the slug stands for, hashed when two slugs collide. */
  identity: string;
}

/**
 * Pure: replaces every `forEach` template with one worker per item. A project worker keeps the
 * template's id and is placed in its project; a file worker stays in the template's project, as
 * `<id>--<slug of the file>`. `{project}`, `{projectRoot}`, `{file}` and `{fileStem}` are filled in
 * the prompt, description, script, inputs, outputs and writes; `x/{each}` in any dependsOn becomes
 * every worker of template `x`. Problems (no item, colliding slugs) are added to the spec file's.
 */
export function expandForEach(inputs: readonly SpecFileInput[], facts: ForEachFacts): SpecFileInput[] {
  const workersByTemplate = new Map<string, string[]>();
  const expanded: SpecFileInput[] = [];
  for (const input of inputs) {
    const { parsed, project } = input;
    if (!parsed.tasks.some((task) => task.forEach)) {
      expanded.push(input);
      continue;
    }
    const problems = [...parsed.problems];
    const notes = [...(parsed.notes ?? [])];
    const ownTasks: TaskSpec[] = [];
    const placed = new Map<string, { project: SpecProject; tasks: TaskSpec[] }>();
    const ownTags = new Set<string>();
    for (const task of parsed.tasks) {
      if (!task.forEach) {
        ownTasks.push(task);
        continue;
      }
      const workers: string[] = [];
      workersByTemplate.set(`${project.name}:${task.id}`, workers);
      let items: Item[];
      try {
        items = task.forEach.projects ? projectItems(task, facts) : fileItems(task, project.root, facts);
      } catch (error) {
        // A pattern the matcher refuses (minimatch throws on one over 64 KB) costs this template only.
        problems.push({
          code: 'invalid-field',
          file: task.file,
          line: task.line,
          taskId: task.id,
          message: `forEach of task ${quote(task.id)} cannot be matched: ${describeError(error)}`,
        });
        continue;
      }
      if (items.length === 0) {
        notes.push({
          code: 'invalid-field',
          file: task.file,
          line: task.line,
          taskId: task.id,
          message: `forEach of task ${quote(task.id)} matches nothing: it has no workers`,
        });
        continue;
      }
      const misuse = task.forEach.projects ? fileTokenMisuse(task) : undefined;
      if (misuse) {
        problems.push({ code: 'invalid-field', file: task.file, line: task.line, taskId: task.id, message: misuse });
        continue;
      }
      for (const { item, id, collided } of uniqueIds(items)) {
        if (collided)
          notes.push({
            code: 'duplicate-id',
            file: task.file,
            line: task.line,
            taskId: id,
            message: `forEach of task ${quote(task.id)}: ${quote(item.file ?? item.project.name)} slugs to the same target id as another item, so its id carries a hash of its path: ${quote(id)}`,
          });
        // Nx hashes every target of a project into each of its tasks: a file worker in the template's project
        // would re-run all its siblings whenever a file comes or goes. So each gets a project node of its own.
        const home = item.file === undefined ? { ...item.project, tags: [eachTag(project.name, task.id)] } : fileWorkerProject(project, task.id, id, facts);
        const worker = fillTemplate(task, item, task.id, project.name, project.root);
        workers.push(`${home.name}:${task.id}`);
        if (!home.node && home.root === project.root) {
          // The template's own project is one of the items: the worker joins its tasks.
          ownTasks.push(worker);
          ownTags.add(eachTag(project.name, task.id));
          continue;
        }
        const place = home.node?.root ?? home.root;
        const group = placed.get(place) ?? { project: home, tasks: [] };
        // One project can be an item of several templates: it carries each one's tag.
        if (group.project !== home) group.project = { ...group.project, tags: [...new Set([...(group.project.tags ?? []), ...(home.tags ?? [])])] };
        group.tasks.push(worker);
        placed.set(place, group);
      }
    }
    expanded.push({
      project: ownTags.size ? { ...project, tags: [...(project.tags ?? []), ...ownTags] } : project,
      parsed: { ...parsed, tasks: ownTasks, problems, notes },
    });
    for (const group of placed.values()) expanded.push({ project: group.project, parsed: { ...parsed, tasks: group.tasks, problems: [], notes: [] } });
  }
  return expanded.map((input) => withEachExpanded(input, workersByTemplate));
}

/**
 * The tag every worker of one template carries: `x/{each}` becomes one `dependsOn` entry on
 * `tag:<it>`, not a list of workers, so a worker that comes or goes changes no other target.
 */
export function eachTag(templateProject: string, template: string): string {
  return `agent-workers:${templateProject}:${template}`;
}

/**
 * A file worker's project node: named `<template project>--<template>--<slug>`, rooted in a
 * folder of the template's project that holds no file, working in the template's project. A name
 * a known project already has gets a hash of the file (Nx stops on two projects of one name).
 */
function fileWorkerProject(templateProject: SpecProject, template: string, id: string, facts: ForEachFacts): SpecProject {
  let name = `${templateProject.name}--${id}`;
  if (facts.takenNames?.has(name) || facts.projects.some((known) => known.name === name)) name = `${name}-${hash(`${templateProject.root}\0${id}`)}`;
  const prefix = templateProject.root === '.' || templateProject.root === '' ? '' : `${templateProject.root}/`;
  return {
    name,
    root: templateProject.root,
    inferred: true,
    node: {
      root: `${prefix}${WORKER_FOLDER}/${template}/${id.slice(template.length + 2)}`,
      owner: templateProject.name,
      tags: [eachTag(templateProject.name, template)],
    },
  };
}

function projectItems(task: TaskSpec, facts: ForEachFacts): Item[] {
  const patterns = task.forEach!.projects!;
  const matches = (candidate: ForEachProject) =>
    patterns.some((pattern) =>
      pattern.startsWith('tag:') ? candidate.tags.some((tag) => minimatch(tag, pattern.slice(4))) : minimatch(candidate.name, pattern),
    );
  return facts.projects
    .filter(matches)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((candidate) => ({ project: { name: candidate.name, root: candidate.root, inferred: false }, id: task.id, identity: candidate.name }));
}

function fileItems(task: TaskSpec, projectRoot: string, facts: ForEachFacts): Item[] {
  const prefix = projectRoot === '.' || projectRoot === '' ? '' : `${projectRoot}/`;
  const files = new Set<string>();
  for (const glob of task.forEach!.files!) for (const file of facts.filesByGlob.get(resolvePattern(glob, projectRoot)) ?? []) files.add(file);
  return [...files]
    .filter((file) => file.startsWith(prefix))
    .sort()
    .map((file) => {
      const relative = file.slice(prefix.length);
      return { project: { name: '', root: projectRoot, inferred: false }, file: relative, id: `${task.id}--${slug(relative)}`, identity: relative };
    });
}

/** A file path as a target-id segment: letters, digits, ".", "_" and "-" only, bounded in length. */
export function slug(path: string): string {
  const cleaned = path
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+|-+$/g, '');
  const bounded = cleaned.length > MAX_SLUG ? `${cleaned.slice(0, MAX_SLUG - 9)}-${hash(path)}` : cleaned;
  return bounded || hash(path);
}

/** Ids made unique: every item of a colliding slug gets a hash of what it stands for, so no id depends on which other items exist. */
function uniqueIds(items: Item[]): Array<{ item: Item; id: string; collided: boolean }> {
  // Ids are per project: project workers share the template's id, each in its own project.
  const placeOf = (item: Item) => `${item.project.root}\0${item.id}`;
  const counts = new Map<string, number>();
  for (const item of items) counts.set(placeOf(item), (counts.get(placeOf(item)) ?? 0) + 1);
  return items.map((item) => {
    const collided = counts.get(placeOf(item))! > 1;
    const id = collided ? `${item.id}-${hash(item.identity)}` : item.id;
    return { item, id: TASK_ID_PATTERN.test(id) ? id : `t${id}`, collided };
  });
}

/** FNV-1a, 32 bits, as 8 hex digits: stable across runs and machines, and pure. */
function hash(text: string): string {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return value.toString(16).padStart(8, '0');
}

function fileTokenMisuse(task: TaskSpec): string | undefined {
  const texts = [task.prompt, task.description ?? '', ...task.inputs, ...task.outputs, ...task.writes, JSON.stringify(task.script ?? {})];
  return texts.some((text) => /\{file(Stem)?\}/.test(text))
    ? `task ${quote(task.id)} fans out over projects but uses {file} or {fileStem}: those are only filled in for forEach.files`
    : undefined;
}

/**
 * The spec file as the executor needs it for one worker: the template `template` filled for the
 * worker's item (its own project, or its `file`), under the worker's id. The same filling
 * createNodes did, so the worker runs exactly the task its target was inferred from.
 */
export function withWorker(
  parsed: ParsedSpecFile,
  request: { id: string; template: string; file?: string; project: { name: string; root: string } },
): ParsedSpecFile {
  const template = parsed.tasks.find((task) => task.id === request.template && task.forEach);
  if (!template) return parsed;
  const item: Item = { project: { ...request.project, inferred: false }, file: request.file, id: request.id, identity: request.file ?? request.project.name };
  const worker = fillTemplate(template, item, request.id, request.project.name, request.project.root);
  return { ...parsed, tasks: [...parsed.tasks.filter((task) => task.id !== request.id), worker] };
}

/**
 * The spec file as one target's task needs it: a forEach worker's template filled for its item
 * (`owner` is the project the template is in), any other task's spec as it is. The executor and
 * the plan both read a target's task through it.
 */
export function specOfTarget(
  parsed: ParsedSpecFile,
  target: { task?: string; template?: string; file?: string },
  owner: { name: string; root: string },
): ParsedSpecFile {
  return target.template && target.task ? withWorker(parsed, { id: target.task, template: target.template, file: target.file, project: owner }) : parsed;
}

function fillTemplate(task: TaskSpec, item: Item, id: string, templateProject: string, templateRoot: string): TaskSpec {
  const fileItem = item.file !== undefined;
  const values: Record<string, string> = fileItem
    ? { file: item.file!, fileStem: stem(item.file!), project: templateProject, projectRoot: templateRoot }
    : { project: item.project.name, projectRoot: item.project.root };
  const fill = (text: string) => text.replace(/\{(project|projectRoot|file|fileStem)\}/g, (token, name: string) => values[name] ?? token);
  // A project worker's paths stay relative to its project (`{projectRoot}` at the start is Nx's own prefix). A file
  // worker's project is not where its files are: its paths are made workspace-relative, from the template's project.
  const fillPath = fileItem
    ? (pattern: string) => {
        const negated = pattern.startsWith('!');
        const body = negated ? pattern.slice(1) : pattern;
        const filled = body.startsWith('{projectRoot}') ? `{projectRoot}${fill(body.slice('{projectRoot}'.length))}` : fill(body);
        return `${negated ? '!' : ''}{workspaceRoot}/${resolvePattern(filled, templateRoot)}`;
      }
    : (pattern: string) => (pattern.startsWith('{projectRoot}') ? `{projectRoot}${fill(pattern.slice('{projectRoot}'.length))}` : fill(pattern));
  const inputs = task.inputs.map(fillPath);
  const ownFile = fileItem ? fillPath(item.file!) : undefined;
  if (ownFile && !inputs.includes(ownFile)) inputs.push(ownFile);
  // A worker in another project still depends on the template project's tasks.
  const dependsOn = task.dependsOn.map((reference) => (reference.includes(':') ? reference : `${templateProject}:${reference}`));
  const { forEach: _template, ...rest } = task;
  void _template;
  return {
    ...rest,
    id,
    worker: { template: task.id, ...(fileItem ? { file: item.file } : {}) },
    prompt: fill(task.prompt),
    description: task.description === undefined ? undefined : fill(task.description),
    inputs,
    outputs: task.outputs.map(fillPath),
    writes: task.writes.map(fillPath),
    dependsOn,
    script: task.script && fillScript(task.script, fill, fillPath),
  };
}

function fillScript(script: ScriptSpec, fill: (text: string) => string, fillPath: (text: string) => string): ScriptSpec {
  return {
    ...script,
    summary: script.summary === undefined ? undefined : fill(script.summary),
    files: script.files && Object.fromEntries(Object.entries(script.files).map(([path, content]) => [fillPath(path), fill(content)])),
  };
}

/** The file's name without its last extension (`src/a.legacy.ts` -> `a.legacy`). */
function stem(file: string): string {
  const name = file.split('/').pop()!;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** `x/{each}` references, resolved to every worker of template `x` (same project unless qualified). */
function withEachExpanded(input: SpecFileInput, workersByTemplate: ReadonlyMap<string, string[]>): SpecFileInput {
  const { parsed, project } = input;
  if (!parsed.tasks.some((task) => task.dependsOn.some((reference) => reference.endsWith(EACH_SUFFIX)))) return input;
  const problems: SpecProblem[] = [...parsed.problems];
  const tasks = parsed.tasks.map((task) => {
    const each: NonNullable<TaskSpec['each']> = [];
    const dependsOn = task.dependsOn.flatMap((reference) => {
      if (!reference.endsWith(EACH_SUFFIX)) return [reference];
      const template = reference.slice(0, -EACH_SUFFIX.length);
      const qualified = template.includes(':') ? template : `${project.name}:${template}`;
      const workers = workersByTemplate.get(qualified);
      if (!workers) {
        problems.push({
          code: 'unknown-dependency',
          file: task.file,
          line: task.line,
          taskId: task.id,
          message: `task ${quote(task.id)} depends on ${quote(reference)}, but ${quote(qualified)} is not a forEach template`,
        });
        return [];
      }
      const [templateProject, templateId] = splitQualified(qualified);
      const references = workers.map((worker) => (worker.startsWith(`${project.name}:`) ? worker.slice(project.name.length + 1) : worker));
      each.push({ tag: eachTag(templateProject, templateId), template: templateId, workers: references });
      return references;
    });
    return each.length ? { ...task, dependsOn, each } : { ...task, dependsOn };
  });
  return { project, parsed: { ...parsed, tasks, problems } };
}

/** `project:id` split at its last ":" (task ids never contain one). */
function splitQualified(reference: string): [string, string] {
  const separator = reference.lastIndexOf(':');
  return [reference.slice(0, separator), reference.slice(separator + 1)];
}
