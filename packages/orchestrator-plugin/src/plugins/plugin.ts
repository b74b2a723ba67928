import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
// Types only: loading @nx/devkit at run time costs a plugin worker about 0.3 s.
import type { CreateDependencies, CreateNodes, CreateNodesResult, DependencyType, ProjectConfiguration, RawProjectGraphDependency } from '@nx/devkit';
import { workspaceDataDirectory } from 'nx/src/utils/cache-directory';
import { buildAgentGraph, type SpecFileInput } from '../graph/agent-graph';
import { isAgentTarget } from '../task-spec/agent-target';
import { normalizePluginOptions, type AgentPluginOptions } from '../task-spec/plugin-options';
import type * as SpecParsers from '../task-spec/parse-spec-file';
import type { SpecProject } from '../graph/agent-graph';
import { loadSubagentProfiles } from '../workspace/load-subagent-profiles';
import { findProjectForSpec } from './find-project';
import { readLockedPackages } from '../workspace/read-locked-packages';
import { ParseCache } from './parse-cache';
import { formatProblemReport } from './report-problems';

/** Every file name the plugin reads. Flat alternation: Nx's glob engine has no nested braces. */
export const SPEC_GLOB = '**/{*.agent.md,agent-tasks.json,agent-tasks.yaml,agent-tasks.yml,03-tasks.json}';

/**
 * Infers agent targets from task specs: glob -> parse (cached by content hash) -> graph.
 * Pure with respect to the workspace: reads files, starts no process, touches no network.
 * Invalid specs never throw (that would stop every Nx command); they become failing
 * targets and a report on stderr.
 */
export const createNodes: CreateNodes<AgentPluginOptions> = [
  SPEC_GLOB,
  (files, rawOptions, context) => {
    const options = normalizePluginOptions(rawOptions);
    const cache = new ParseCache(join(workspaceDataDirectory, `nx-agent-orchestrator-specs-${parserVersion()}.json`));
    const memo = new Map<string, SpecProject | null>();
    try {
      const parsedFiles = files.flatMap((file) => {
        const content = readSpec(join(context.workspaceRoot, file));
        // Deleted between Nx's glob and this read: the next graph computation won't list it.
        if (content === undefined) return [];
        return [cache.get(file, content, () => loadParsers().parseSpecFile(file, content))];
      });
      // A folder that is not in a project becomes one named by its decomposition's slug, whichever
      // of its spec files asks: one name per root, or Nx keeps one and the others' edges break.
      const slugByFolder = new Map(parsedFiles.flatMap((parsed) => (parsed.slug ? [[posix.dirname(parsed.file), parsed.slug] as const] : [])));
      const inputs: SpecFileInput[] = parsedFiles.map((parsed) => ({
        parsed,
        project: findProjectForSpec(context.workspaceRoot, parsed.file, slugByFolder.get(posix.dirname(parsed.file)), memo),
      }));
      const subagents = loadSubagentProfiles(context.workspaceRoot);
      const graph = buildAgentGraph(inputs, options, { subagents: subagents.profiles, lockedPackages: readLockedPackages(context.workspaceRoot) });
      const report = formatProblemReport(graph.problems, graph.warnings, options.aggregateTarget, subagents.problems);
      if (report) process.stderr.write(report);
      return graph.files.map(({ file, project, targets, targetGroup }) => {
        const configuration: Omit<ProjectConfiguration, 'root'> & { root: string } = {
          root: project.root,
          ...(project.inferred ? { name: project.name } : {}),
          targets: targets as ProjectConfiguration['targets'],
          metadata: { targetGroups: { 'Agent tasks': targetGroup } },
        };
        const result: CreateNodesResult = { projects: { [project.root]: configuration } };
        return [file, result] as const;
      });
    } finally {
      cache.save();
    }
  },
];

/** @deprecated Nx reads `createNodes`; kept for Nx versions that still look for this name. */
export const createNodesV2 = createNodes;

/**
 * Project-graph edges for cross-project task dependencies, so `nx graph` draws them and
 * `nx affected` follows them. Read from the inferred targets; nothing is parsed again.
 */
export const createDependencies: CreateDependencies<AgentPluginOptions> = (_options, context) => {
  const dependencies: RawProjectGraphDependency[] = [];
  const seen = new Set<string>();
  for (const [source, project] of Object.entries(context.projects)) {
    for (const target of Object.values(project.targets ?? {})) {
      if (!isAgentTarget(target)) continue;
      for (const dependency of target.dependsOn ?? []) {
        if (typeof dependency === 'string' || !dependency.projects) continue;
        const projects = Array.isArray(dependency.projects) ? dependency.projects : [dependency.projects];
        for (const name of projects) {
          const key = `${source}\0${name}`;
          if (name === source || seen.has(key) || !context.projects[name]) continue;
          seen.add(key);
          dependencies.push({ source, target: name, type: 'implicit' as DependencyType.implicit });
        }
      }
    }
  }
  return dependencies;
};

function readSpec(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The parsers (and the YAML library) load only when a spec is missing from the parse cache. */
function loadParsers(): typeof SpecParsers {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../task-spec/parse-spec-file') as typeof SpecParsers;
}

/** The parse cache is only valid for the parser that wrote it: the package version, read per graph computation (never at import). */
function parserVersion(): string {
  try {
    return `${(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}-1`;
  } catch {
    return 'dev-1';
  }
}
