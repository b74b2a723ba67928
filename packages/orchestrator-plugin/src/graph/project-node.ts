import type { ProjectNode } from './task-claims';

/** The project metadata key that says where a project node's tasks work. */
export const WORK_PLACE_METADATA = 'agentTasks';

/** What a project node's metadata says about where its tasks work. */
export interface WorkPlace {
  /** The folder the tasks work in: their paths resolve there, commands run there. */
  workRoot: string;
  /** The project that folder belongs to. */
  owner: string;
}

/**
 * The Nx project configuration of a project node: its own (file-less) root, its name, an
 * implicit dependency on the project it works in and its tags. Its targets must use no
 * `{projectRoot}` file set: Nx's native hasher fails with "project <name> not found" on a
 * project that owns no file (measured with Nx 24.0.6), so every path of its tasks is written
 * in `{workspaceRoot}` form.
 */
export function projectNodeConfiguration(name: string, workRoot: string, node: ProjectNode) {
  const place: WorkPlace = { workRoot, owner: node.owner };
  return {
    root: node.root,
    name,
    tags: [...new Set([...node.tags, nodesOfTag(node.owner)])],
    implicitDependencies: [node.owner],
    metadata: { [WORK_PLACE_METADATA]: place },
  };
}

/**
 * The tag every project node of `owner` carries: the owner's aggregate target runs the nodes'
 * aggregates through one `dependsOn` entry on it, so `nx run <owner>:agent` still runs them.
 */
export function nodesOfTag(owner: string): string {
  return `agent-nodes:${owner}`;
}

/**
 * Where the tasks of an Nx project work: a project node's work folder and owner, or the
 * project's own root. The executor and the plan resolve tasks with it, as createNodes did.
 */
export function workProjectOf(
  name: string,
  configuration: { root: string; metadata?: Record<string, unknown> } | undefined,
): { name: string; root: string; owner: { name: string; root: string } } {
  const place = configuration?.metadata?.[WORK_PLACE_METADATA] as Partial<WorkPlace> | undefined;
  const root = typeof place?.workRoot === 'string' ? place.workRoot : (configuration?.root ?? '.');
  const owner = typeof place?.owner === 'string' ? place.owner : name;
  return { name, root, owner: { name: owner, root } };
}
