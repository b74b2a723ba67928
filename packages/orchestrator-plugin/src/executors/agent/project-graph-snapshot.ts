import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomically } from '../../runs/atomic-write';

/**
 * The files in which Nx caches the project graph (nx/src/project-graph/nx-deps-cache), read by
 * every task process Nx forks to find its target (`readCachedProjectGraph` in run-executor).
 */
const PROJECT_GRAPH_CACHE_FILES = ['project-graph.json', 'file-map.json', 'source-maps.json'];

/** A copy of Nx's cached project graph, put back by `restore`. */
export interface ProjectGraphSnapshot {
  restore(): void;
}

/**
 * Takes a copy of the cached project graph before a nested nx run, which computes and caches its
 * own. Put back once that run ends, the parent invocation's later task processes find the graph
 * its task graph came from: a produced task the new list dropped would otherwise fail in Nx itself
 * ("Cannot find target") before its executor could say it is gone. The next invocation computes
 * the graph afresh from the changed files either way. A file that was not there is left as the
 * nested run wrote it; a copy that cannot be read or written changes nothing.
 */
export function snapshotProjectGraph(workspaceDataFolder: string): ProjectGraphSnapshot {
  const saved = PROJECT_GRAPH_CACHE_FILES.flatMap((name) => {
    const path = join(workspaceDataFolder, name);
    try {
      return [{ path, content: readFileSync(path, 'utf8') }];
    } catch {
      return [];
    }
  });
  return {
    restore: () => {
      for (const { path, content } of saved) {
        try {
          writeFileAtomically(path, content, { durable: false });
        } catch {
          // The parent keeps the nested run's graph: only a dropped task's copy can then fail.
        }
      }
    },
  };
}
