// Project-graph time: workspaces of 1,000 and 5,000 `*.agent.md` specs, and a 3,000-task
// workspace shaped like a real spec-decomposition repository (bench-dorkos-shape.mjs), each
// against the same workspace without the plugin: `nx show projects` with no daemon (every run
// computes the graph), the plugin's parse cache cold (removed) and warm, interleaved rounds,
// medians. Then the plugin's own createNodes in-process on the 5,000 specs, cold and warm.
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createWorkspace, interleave, median, nx, rounds, row } from './bench-harness.mjs';
import { dorkosShapedSpecs } from './bench-dorkos-shape.mjs';

const require = createRequire(import.meta.url);
const pluginNxJson = { analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted' } }] };

/** `projects` projects of `perProject` specs: a chain inside each project plus one edge into the previous project. */
function agentMarkdownSpecs(projects, perProject) {
  const files = {};
  for (let project = 0; project < projects; project++) {
    files[`libs/lib-${project}/project.json`] = { name: `lib-${project}` };
    for (let task = 0; task < perProject; task++) {
      const dependsOn = [task > 0 ? `task-${task - 1}` : undefined, task === 0 && project > 0 ? `lib-${project - 1}:task-${perProject - 1}` : undefined].filter(
        Boolean,
      );
      const frontmatter = [
        `description: Task ${task} of lib-${project}`,
        dependsOn.length ? `dependsOn: [${dependsOn.join(', ')}]` : '',
        `inputs: ["{projectRoot}/docs/context-${task}.md"]`,
        `outputs: ["{projectRoot}/src/generated/task-${task}.ts"]`,
        'retries: 1',
        'timeout: 10m',
      ].filter(Boolean);
      files[`libs/lib-${project}/agent-tasks/task-${task}.agent.md`] =
        `---\n${frontmatter.join('\n')}\n---\nImplement part ${task} of lib-${project}.\n\nKeep it small and tested.\n`;
    }
  }
  return files;
}

function clearPluginCache(root) {
  const data = join(root, '.nx', 'workspace-data');
  for (const file of readdirSync(data)) if (file.startsWith('nx-agent-orchestrator-specs-')) rmSync(join(data, file));
}

/** The plugin's createNodes in this process, on the given spec files of a workspace. */
async function createNodesIn(modules, root, files) {
  const plugin = require(join(modules, 'nx-agent-orchestrator'));
  const cwd = process.cwd();
  const writeError = process.stderr.write;
  // Its problem report (the real shape's foreign fields) is not the benchmark's output.
  process.stderr.write = () => true;
  process.chdir(root);
  try {
    return await plugin.createNodes[1](files, { defaultAgent: 'scripted' }, { workspaceRoot: root, nxJsonConfiguration: {} });
  } finally {
    process.chdir(cwd);
    process.stderr.write = writeError;
  }
}

/** Agent tasks that loaded as runnable targets (a file with problems gives error targets instead). */
const countTargets = (results) =>
  results
    .flatMap(([, result]) => Object.values(result.projects ?? {}))
    .flatMap((project) => Object.entries(project.targets ?? {}))
    .filter(([name, target]) => name.startsWith('agent--') && target.options?.task && !target.options?.error).length;

/** Times one workspace three ways; returns rows. */
function graphRows(modules, label, files, roundCount) {
  const roots = {
    'no plugin': createWorkspace(modules, { ...files, 'nx.json': { analytics: false } }, 'nx-agent-graph-'),
    'plugin, cold cache': createWorkspace(modules, { ...files, 'nx.json': pluginNxJson }, 'nx-agent-graph-'),
    'plugin, warm cache': createWorkspace(modules, { ...files, 'nx.json': pluginNxJson }, 'nx-agent-graph-'),
  };
  // Warm Nx's own file hashing and the OS file cache equally.
  for (const root of Object.values(roots)) nx(root, ['show', 'projects']);
  const times = interleave(
    Object.fromEntries(
      Object.entries(roots).map(([name, root]) => [
        name,
        () => {
          if (name.includes('cold')) clearPluginCache(root);
          return nx(root, ['show', 'projects']).ms;
        },
      ]),
    ),
    roundCount,
  );
  const baseline = median(times['no plugin']);
  return {
    roots: Object.values(roots),
    rows: Object.keys(roots).map((name) =>
      row('graph', `${label}: ${name}`, median(times[name]) / 1000, 's', { 'x baseline': median(times[name]) / baseline }),
    ),
  };
}

/** Runs the benchmark; returns the table's rows and the folders to remove. */
export async function benchProjectGraph({ modules }) {
  const rows = [];
  const roots = [];
  const small = graphRows(modules, '1,000 specs in 50 projects', agentMarkdownSpecs(50, 20), rounds(3));
  rows.push(...small.rows);
  roots.push(...small.roots);
  const large = graphRows(modules, '5,000 specs in 100 projects', agentMarkdownSpecs(100, 50), rounds(2));
  rows.push(...large.rows);
  roots.push(...large.roots);

  // The real-world shape loads only once foreign top-level fields are read; until then the same
  // files without them (the format the plugin reads today) stand in, and the row says so.
  const shaped = dorkosShapedSpecs();
  const probeRoot = createWorkspace(modules, { ...shaped, 'nx.json': pluginNxJson }, 'nx-agent-graph-');
  roots.push(probeRoot);
  const loaded = countTargets(await createNodesIn(modules, probeRoot, Object.keys(shaped)));
  const asWritten = loaded >= 3000;
  const label = asWritten ? '3,000 tasks in 263 03-tasks.json (as written)' : `3,000 tasks in 263 03-tasks.json (our fields only: ${loaded} loaded as written)`;
  const decomposition = graphRows(modules, label, asWritten ? shaped : dorkosShapedSpecs({ foreignFields: false }), rounds(2));
  rows.push(...decomposition.rows);
  roots.push(...decomposition.roots);

  // The plugin's own share: createNodes in-process on the 5,000 specs.
  const warmRoot = large.roots[2];
  const specFiles = Object.keys(agentMarkdownSpecs(100, 50)).filter((path) => path.endsWith('.agent.md'));
  const measure = async (cold) => {
    if (cold) clearPluginCache(warmRoot);
    const started = process.hrtime.bigint();
    const results = await createNodesIn(modules, warmRoot, specFiles);
    if (results.length !== specFiles.length) throw new Error('createNodes returned the wrong number of results');
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const cold = [];
  const warm = [];
  for (let round = 0; round < rounds(3); round++) {
    cold.push(await measure(true));
    warm.push(await measure(false));
  }
  rows.push(
    row('graph', "5,000 specs: the plugin's createNodes in-process, cold cache", median(cold) / 1000, 's', { 'x baseline': 1 }),
    row('graph', "5,000 specs: the plugin's createNodes in-process, warm cache", median(warm) / 1000, 's', { 'x baseline': median(warm) / median(cold) }),
  );
  return { rows, roots };
}
