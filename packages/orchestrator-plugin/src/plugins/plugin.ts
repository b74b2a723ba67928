import { readFileSync, realpathSync } from 'node:fs';
import { join, posix, relative, isAbsolute, sep } from 'node:path';
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
import { formatFullProblemList, formatProblemReport } from './report-problems';
import { writeFileAtomically } from '../runs/atomic-write';
import { describeError } from '../task-spec/bounded-text';
import { expandForEach, type ForEachProject } from '../graph/expand-for-each';
import { listWorkspaceProjects } from './list-workspace-projects';
import { readForEachFacts } from './read-for-each-facts';
import { projectNodeConfiguration, workProjectOf } from '../graph/project-node';
import { withProducedSpecs } from '../graph/with-produced-specs';
import { readProducedFacts } from './read-produced-facts';

/**
 * Every file the plugin reads: its own formats, `03-tasks.json` decompositions, task-master's
 * `tasks/tasks.json` (also under `.taskmaster/`) and spec-kit's `specs/<feature>/tasks.md`.
 * Flat alternation: Nx's glob engine has no nested braces.
 */
export const SPEC_GLOB = '**/{*.agent.md,agent-tasks.json,agent-tasks.yaml,agent-tasks.yml,03-tasks.json,tasks/tasks.json,specs/*/tasks.md}';

/** Where the full problem list goes when the printed report is grouped (inside Nx's workspace data). */
export const PROBLEM_LIST_FILE = 'nx-agent-orchestrator-problems.txt';

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
        // Each file in its own guard: whatever one file does, it costs only its own tasks.
        try {
          const content = readSpec(join(context.workspaceRoot, file));
          // Deleted between Nx's glob and this read: the next graph computation won't list it.
          if (content === undefined) return [];
          return [cache.get(file, content, () => loadParsers().parseSpecFile(file, content))];
        } catch (error) {
          return [unreadable(file, error)];
        }
      });
      // A folder that is not in a project becomes one named by its decomposition's slug, whichever
      // of its spec files asks: one name per root, or Nx keeps one and the others' edges break.
      const slugByFolder = new Map(parsedFiles.flatMap((parsed) => (parsed.slug ? [[posix.dirname(parsed.file), parsed.slug] as const] : [])));
      const inputs: SpecFileInput[] = parsedFiles.map((parsed) => ({
        parsed,
        project: findProjectForSpec(context.workspaceRoot, parsed.file, slugByFolder.get(posix.dirname(parsed.file)), memo),
      }));
      const subagents = loadSubagentProfiles(context.workspaceRoot);
      let graph: ReturnType<typeof buildAgentGraph>;
      try {
        // forEach templates become their workers before the graph sees them.
        // Task lists analysis tasks wrote join as projects of their own, then forEach templates become their workers.
        // Listed once, and only if a produced list or a forEach template asks.
        let projects: ForEachProject[] | undefined;
        const workspaceProjects = () => (projects ??= listWorkspaceProjects(context.workspaceRoot));
        const specs = withProducedSpecs(inputs, readProducedFacts(context.workspaceRoot, parsedFiles, cache, workspaceProjects));
        graph = buildAgentGraph(expandForEach(specs, readForEachFacts(context.workspaceRoot, specs, undefined, workspaceProjects)), options, {
          subagents: subagents.profiles,
          lockedPackages: readLockedPackages(context.workspaceRoot),
          realPathOutside: realPathOutside(context.workspaceRoot),
        });
      } catch (error) {
        // A bug here must not stop every Nx command: the workspace loads without agent targets, and says why.
        process.stderr.write(`nx-agent-orchestrator: agent targets are unavailable: ${describeError(error)}. Please report this.\n`);
        return [];
      }
      reportProblems(graph.problems, graph.warnings, options.aggregateTarget, subagents.problems);
      // One result per spec file; a forEach over projects places a file's workers in several projects.
      const results = new Map<string, CreateNodesResult>();
      for (const { file, project, targets, targetGroup } of graph.files) {
        const result = results.get(file) ?? { projects: {} };
        results.set(file, result);
        // A project node of its own (a file worker, a produced list) sits at its own file-less root.
        const root = project.node?.root ?? project.root;
        const existing = result.projects![root];
        const configuration: Omit<ProjectConfiguration, 'root'> & { root: string } = {
          ...(project.node ? projectNodeConfiguration(project.name, project.root, project.node) : { root }),
          ...(project.inferred && !project.node ? { name: project.name } : {}),
          targets: { ...existing?.targets, ...(targets as ProjectConfiguration['targets']) },
        };
        const tags = [...new Set([...(existing?.tags ?? []), ...(configuration.tags ?? []), ...(project.tags ?? [])])];
        if (tags.length) configuration.tags = tags;
        configuration.metadata = {
          ...configuration.metadata,
          targetGroups: { 'Agent tasks': [...((existing?.metadata?.targetGroups?.['Agent tasks'] as string[] | undefined) ?? []), ...targetGroup] },
        };
        result.projects![root] = configuration;
      }
      return [...results];
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
  let byTag: Map<string, string[]> | undefined;
  // `x/{each}` is one entry on the workers' tag (see eachTag): its projects, but not the source's own nodes (they depend on it).
  const tagged = (tag: string, source: string) => {
    byTag ??= projectsByTag(context.projects);
    return (byTag.get(tag) ?? []).filter((name) => workProjectOf(name, context.projects[name]).owner.name !== source);
  };
  for (const [source, project] of Object.entries(context.projects)) {
    for (const target of Object.values(project.targets ?? {})) {
      if (!isAgentTarget(target)) continue;
      for (const dependency of target.dependsOn ?? []) {
        if (typeof dependency === 'string' || !dependency.projects) continue;
        const patterns = Array.isArray(dependency.projects) ? dependency.projects : [dependency.projects];
        const projects = patterns.flatMap((pattern) => (pattern.startsWith('tag:') ? tagged(pattern.slice(4), source) : [pattern]));
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

function projectsByTag(projects: Record<string, ProjectConfiguration>): Map<string, string[]> {
  const byTag = new Map<string, string[]>();
  for (const [name, project] of Object.entries(projects)) for (const tag of project.tags ?? []) byTag.set(tag, [...(byTag.get(tag) ?? []), name]);
  return byTag;
}

/**
 * Prints the report where the user sees it. Nx's plugin-worker log channel reaches the terminal
 * both without the daemon (the CLI hosts the worker) and with it (the daemon forwards the line to
 * the client that asked for the graph); stderr is the fallback where that channel is missing.
 * A grouped report points at the full list, written beside Nx's other workspace data.
 */
function reportProblems(problems: SpecProblemList, warnings: SpecProblemList, aggregateTarget: string, profileProblems: readonly string[]): void {
  const fullListPath = join(workspaceDataDirectory, PROBLEM_LIST_FILE);
  const full = formatFullProblemList(problems, warnings);
  try {
    if (full) writeFileAtomically(fullListPath, full, { durable: false });
  } catch {
    // Only the pointer to the full list is lost; the report still prints.
  }
  const report = formatProblemReport({ problems, warnings, aggregateTarget, profileProblems, fullListPath: relativeToCwd(fullListPath) });
  if (!report) return;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const internals = require('nx/src/devkit-internals') as { emitPluginWorkerLog?: (level: 'warn', message: string) => void };
    if (internals.emitPluginWorkerLog) {
      internals.emitPluginWorkerLog('warn', report.trimEnd());
      return;
    }
  } catch {
    // An Nx without the channel: stderr below.
  }
  process.stderr.write(report);
}

type SpecProblemList = ReturnType<typeof buildAgentGraph>['problems'];

function relativeToCwd(path: string): string {
  const inside = relative(process.cwd(), path);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : path;
}

/** A file that could not even be read or parsed becomes a problem naming it, never an exception out of createNodes. */
function unreadable(file: string, error: unknown): ReturnType<typeof SpecParsers.parseSpecFile> {
  const message = `could not be read (${describeError(error)}): the file's tasks are skipped; the rest of the workspace is unaffected`;
  return { file, format: 'agent-md', tasks: [], problems: [{ code: 'unreadable', file, message }] };
}

/**
 * A look-up for WorkspaceFacts.realPathOutside: follows symbolic links on the way to a
 * workspace-relative path (its longest existing ancestor, memoized) and returns the real path
 * when it lies outside the workspace.
 */
function realPathOutside(workspaceRoot: string): (path: string) => string | undefined {
  const memo = new Map<string, string | undefined>();
  let root: string;
  try {
    root = realpathSync(workspaceRoot);
  } catch {
    return () => undefined;
  }
  const lookUp = (path: string): string | undefined => {
    if (memo.has(path)) return memo.get(path);
    let real: string | undefined;
    try {
      real = realpathSync(join(workspaceRoot, path));
    } catch {
      // Not there (yet): its parent decides.
      const parent = posix.dirname(path);
      const outside = parent === path || parent === '.' || parent === '' ? undefined : lookUp(parent);
      memo.set(path, outside);
      return outside;
    }
    const inside = relative(root, real);
    const outside = inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside) ? real : undefined;
    memo.set(path, outside);
    return outside;
  };
  return (path) => (path === '' || path === '.' ? undefined : lookUp(path.replace(/\/+$/, '')));
}

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
    return `${(JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version}-2`;
  } catch {
    return 'dev-2';
  }
}
