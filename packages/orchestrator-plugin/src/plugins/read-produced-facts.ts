import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProducedSpecsFacts } from '../graph/with-produced-specs';
import { describeError } from '../task-spec/bounded-text';
import type * as SpecParsers from '../task-spec/parse-spec-file';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import type { ForEachProject } from '../graph/expand-for-each';
import { listWorkspaceProjects } from './list-workspace-projects';
import type { ParseCache } from './parse-cache';

/**
 * What withProducedSpecs needs from the disk: a produced list, parsed (the copy createNodes was
 * given when the list matches the spec glob, else read and parsed through the parse cache), and,
 * only when some list exists, the names of the workspace's projects (listWorkspaceProjects), so a
 * produced project never takes one.
 */
export function readProducedFacts(
  workspaceRoot: string,
  parsedFiles: readonly ParsedSpecFile[],
  cache: ParseCache,
  workspaceProjects: () => readonly ForEachProject[] = () => listWorkspaceProjects(workspaceRoot),
): ProducedSpecsFacts {
  const given = new Map(parsedFiles.map((parsed) => [parsed.file, parsed]));
  return {
    read: (file) => {
      const known = given.get(file);
      if (known) return known;
      let content: string;
      try {
        content = readFileSync(join(workspaceRoot, file), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        return { file, format: 'task-list', tasks: [], problems: [{ code: 'unreadable', file, message: `could not be read (${describeError(error)})` }] };
      }
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the parsers load only when a spec is parsed
      return cache.get(file, content, () => (require('../task-spec/parse-spec-file') as typeof SpecParsers).parseSpecFile(file, content));
    },
    projectNames: () => new Set(workspaceProjects().map((project) => project.name)),
  };
}
