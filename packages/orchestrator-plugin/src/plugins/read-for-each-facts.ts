import type { SpecFileInput } from '../graph/agent-graph';
import { forEachFileGlobs, type ForEachFacts, type ForEachProject } from '../graph/expand-for-each';
import { listWorkspaceProjects, nxGlob, type GlobFiles } from './list-workspace-projects';

/**
 * What the `forEach` templates need from the workspace, read only when some template asks: the
 * projects (project.json and package.json folders, with their tags, plus the folders the plugin
 * itself makes projects; a file template needs their names too, to name its workers' projects)
 * and the files each file template's glob matches. Globs go through Nx's own workspace file
 * index, so no second walk of the disk.
 */
export function readForEachFacts(
  workspaceRoot: string,
  inputs: readonly SpecFileInput[],
  globFiles: GlobFiles = nxGlob,
  workspaceProjects: () => readonly ForEachProject[] = () => listWorkspaceProjects(workspaceRoot, globFiles),
): ForEachFacts {
  if (!inputs.some(({ parsed }) => parsed.tasks.some((task) => task.forEach))) return { projects: [], filesByGlob: new Map() };
  const filesByGlob = new Map<string, readonly string[]>();
  for (const glob of forEachFileGlobs(inputs)) {
    let files: readonly string[] = [];
    try {
      files = globFiles(workspaceRoot, [glob]);
    } catch {
      // Without the file index the template has no items (and is reported as matching nothing).
    }
    filesByGlob.set(glob, files);
  }
  // The workspace root is not an item of a project template (it encloses every project), but its name is taken.
  const all = workspaceProjects();
  const projects = new Map<string, ForEachProject>(all.filter((project) => project.root !== '.').map((project) => [project.root, project]));
  for (const { project } of inputs) if (!projects.has(project.root)) projects.set(project.root, { name: project.name, root: project.root, tags: [] });
  return { projects: [...projects.values()], filesByGlob, takenNames: new Set(all.map((project) => project.name)) };
}
