import { existsSync, readFileSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import type { SpecProject } from '../graph/agent-graph';

/**
 * Finds the project a spec file belongs to: the nearest folder at or above the file, below
 * the workspace root, with a project.json or package.json. With none, the file's own folder
 * becomes a project named after the folder (or the decomposition's slug). Lookups are
 * memoized per folder in `memo`, which lives for one createNodes call.
 */
export function findProjectForSpec(workspaceRoot: string, file: string, slug: string | undefined, memo: Map<string, SpecProject | null>): SpecProject {
  const fileFolder = posix.dirname(file);
  for (let folder = fileFolder; folder !== '.' && folder !== ''; folder = posix.dirname(folder)) {
    const project = projectAt(workspaceRoot, folder, memo);
    if (project) return project;
  }
  const root = fileFolder === '' ? '.' : fileFolder;
  return { root, name: slug ?? (root === '.' ? basename(workspaceRoot) : basename(root)), inferred: true };
}

function projectAt(workspaceRoot: string, folder: string, memo: Map<string, SpecProject | null>): SpecProject | null {
  const known = memo.get(folder);
  if (known !== undefined) return known;
  const name = readProjectName(join(workspaceRoot, folder));
  const project = name === undefined ? null : { root: folder, name, inferred: false };
  memo.set(folder, project);
  return project;
}

/**
 * The name Nx gives the project in `absoluteFolder`: project.json's name, else package.json's
 * nx.name or name (Nx reads it for a project.json without one), else the folder's name.
 * Undefined when neither file exists.
 */
export function readProjectName(absoluteFolder: string): string | undefined {
  let found = false;
  for (const configFile of ['project.json', 'package.json']) {
    const path = join(absoluteFolder, configFile);
    if (!existsSync(path)) continue;
    found = true;
    try {
      const json = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; nx?: { name?: unknown } };
      const name = json.nx?.name ?? json.name;
      if (typeof name === 'string' && name) return name;
    } catch {
      // An unreadable config is Nx's to report; the folder still counts as a project.
    }
  }
  return found ? basename(absoluteFolder).toLowerCase() : undefined;
}
