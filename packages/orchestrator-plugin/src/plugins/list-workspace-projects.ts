import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { ForEachProject } from '../graph/expand-for-each';
import { readProjectName } from './find-project';

export type GlobFiles = (workspaceRoot: string, globs: string[]) => string[];

/**
 * The workspace's project.json and package.json projects (the workspace root's too), with
 * their names and tags, found through Nx's workspace file index (git-ignore aware, already in
 * memory in the plugin worker). Never throws: without the index, or for an unreadable file,
 * fewer projects. forEach matches projects from it, and project nodes are named so as not to
 * take one of its names (Nx stops on two projects of one name).
 */
export function listWorkspaceProjects(workspaceRoot: string, globFiles: GlobFiles = nxGlob): ForEachProject[] {
  const projects = new Map<string, ForEachProject>();
  for (const configFile of safely(() => globFiles(workspaceRoot, ['project.json', 'package.json', '**/project.json', '**/package.json']), [])) {
    const root = posix.dirname(configFile);
    if (projects.has(root)) continue;
    const name = safely(() => readProjectName(join(workspaceRoot, root)), undefined);
    if (name) projects.set(root, { name, root, tags: readTags(join(workspaceRoot, root)) });
  }
  return [...projects.values()];
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

/** Nx's workspace file index, loaded on first use. */
export function nxGlob(workspaceRoot: string, globs: string[]): string[] {
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
