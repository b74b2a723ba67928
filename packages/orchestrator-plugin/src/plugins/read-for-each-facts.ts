import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { SpecFileInput } from '../graph/agent-graph';
import { forEachFileGlobs, needsProjectList, type ForEachFacts, type ForEachProject } from '../graph/expand-for-each';
import { readProjectName } from './find-project';

type GlobFiles = (workspaceRoot: string, globs: string[]) => string[];

/**
 * What the `forEach` templates need from the workspace, read only when some template asks: the
 * projects (project.json and package.json folders, with their tags, plus the folders the plugin
 * itself makes projects) and the files each file template's glob matches. Globs go through Nx's
 * own workspace file index (git-ignore aware, already in memory in the plugin worker), so no
 * second walk of the disk.
 */
export function readForEachFacts(workspaceRoot: string, inputs: readonly SpecFileInput[], globFiles: GlobFiles = nxGlob): ForEachFacts {
  const filesByGlob = new Map<string, readonly string[]>();
  for (const glob of forEachFileGlobs(inputs))
    filesByGlob.set(
      glob,
      safely(() => globFiles(workspaceRoot, [glob]), []),
    );
  if (!needsProjectList(inputs)) return { projects: [], filesByGlob };
  const projects = new Map<string, ForEachProject>();
  for (const configFile of safely(() => globFiles(workspaceRoot, ['**/project.json', '**/package.json']), [])) {
    const root = posix.dirname(configFile);
    if (root === '.' || projects.has(root)) continue;
    const name = safely(() => readProjectName(join(workspaceRoot, root)), undefined);
    if (name) projects.set(root, { name, root, tags: readTags(join(workspaceRoot, root)) });
  }
  for (const { project } of inputs) if (!projects.has(project.root)) projects.set(project.root, { name: project.name, root: project.root, tags: [] });
  return { projects: [...projects.values()], filesByGlob };
}

/** project.json's `tags`, else package.json's `nx.tags`: where Nx reads them. */
function readTags(absoluteFolder: string): string[] {
  for (const [configFile, pick] of [
    ['project.json', (json: { tags?: unknown; nx?: { tags?: unknown } }) => json.tags],
    ['package.json', (json: { tags?: unknown; nx?: { tags?: unknown } }) => json.nx?.tags],
  ] as const) {
    const tags = safely(() => pick(JSON.parse(readFileSync(join(absoluteFolder, configFile), 'utf8')) as { tags?: unknown }), undefined);
    if (Array.isArray(tags)) return tags.filter((tag): tag is string => typeof tag === 'string');
  }
  return [];
}

function nxGlob(workspaceRoot: string, globs: string[]): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const context = require('nx/src/utils/workspace-context') as { globWithWorkspaceContextSync: GlobFiles };
  return context.globWithWorkspaceContextSync(workspaceRoot, globs);
}

function safely<Value>(read: () => Value, fallback: Value): Value {
  try {
    return read();
  } catch {
    return fallback;
  }
}
