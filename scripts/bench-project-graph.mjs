#!/usr/bin/env node
// Project-graph computation time for a workspace with 1,000 task specs, as ratios against
// the same workspace without the plugin, measured side by side in one run (interleaved
// rounds, medians) because this machine is shared and noisy.
//   - nx:     `nx show projects` (NX_DAEMON=false: every run computes the graph), three copies
//             of one workspace: no plugin / plugin with a cold parse cache / plugin warm.
//   - plugin: the plugin's own createNodes in-process, cold vs warm parse cache.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchEnv as env, buildAndInstallPlugin, cleanUp, printRatios, rounds, run, time } from './bench-harness.mjs';

const require = createRequire(import.meta.url);
const ROUNDS = rounds(7);
const PROJECTS = 50;
const TASKS_PER_PROJECT = 20;

const modules = buildAndInstallPlugin();
/** 50 projects x 20 specs: a chain inside each project plus one edge into the previous project. */
function writeWorkspace(root, withPlugin) {
  const nxJson = { analytics: false, plugins: withPlugin ? [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted' } }] : [] };
  writeFileSync(join(root, 'nx.json'), JSON.stringify(nxJson));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', private: true }));
  for (let project = 0; project < PROJECTS; project++) {
    const folder = join(root, 'libs', `lib-${project}`);
    mkdirSync(join(folder, 'agent-tasks'), { recursive: true });
    writeFileSync(join(folder, 'project.json'), JSON.stringify({ name: `lib-${project}` }));
    for (let task = 0; task < TASKS_PER_PROJECT; task++) {
      const dependsOn = [
        task > 0 ? `task-${task - 1}` : undefined,
        task === 0 && project > 0 ? `lib-${project - 1}:task-${TASKS_PER_PROJECT - 1}` : undefined,
      ].filter(Boolean);
      const frontmatter = [
        `description: Task ${task} of lib-${project}`,
        dependsOn.length ? `dependsOn: [${dependsOn.join(', ')}]` : '',
        `inputs: ["{projectRoot}/docs/context-${task}.md"]`,
        `outputs: ["{projectRoot}/src/generated/task-${task}.ts"]`,
        'retries: 1',
        'timeout: 10m',
      ].filter(Boolean);
      writeFileSync(
        join(folder, 'agent-tasks', `task-${task}.agent.md`),
        `---\n${frontmatter.join('\n')}\n---\nImplement part ${task} of lib-${project}.\n\nKeep it small and tested.\n`,
      );
    }
  }
  symlinkSync(modules, join(root, 'node_modules'));
  run('git', ['init', '-q'], root, env);
}

const base = mkdtempSync(join(tmpdir(), 'nx-agent-bench-'));
const variants = {
  'no plugin': { root: join(base, 'without'), withPlugin: false, cold: false },
  'plugin, cold cache': { root: join(base, 'cold'), withPlugin: true, cold: true },
  'plugin, warm cache': { root: join(base, 'warm'), withPlugin: true, cold: false },
};
for (const variant of Object.values(variants)) {
  mkdirSync(variant.root);
  writeWorkspace(variant.root, variant.withPlugin);
  nxShowProjects(variant.root); // warm Nx's own file hashing and the OS file cache equally
}

function clearPluginCache(root) {
  const data = join(root, '.nx', 'workspace-data');
  for (const file of readdirSync(data)) if (file.startsWith('nx-agent-orchestrator-specs-')) rmSync(join(data, file));
}

function nxShowProjects(root) {
  const { ms, value } = time(() => run(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects', '--json'], root, env));
  const projects = JSON.parse(value.stdout).length;
  if (projects !== PROJECTS && root !== variants['no plugin'].root) throw new Error(`expected ${PROJECTS} projects, got ${projects}`);
  return ms;
}

const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
const names = Object.keys(variants);
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order every round so no variant always runs first on a warm machine.
  for (let index = 0; index < names.length; index++) {
    const name = names[(index + round) % names.length];
    const variant = variants[name];
    if (variant.cold) clearPluginCache(variant.root);
    times[name].push(nxShowProjects(variant.root));
  }
}

// In-process: the plugin's createNodes alone on the warm workspace, cold vs warm parse cache.
const warmRoot = variants['plugin, warm cache'].root;
process.chdir(warmRoot);
const plugin = require(join(modules, 'nx-agent-orchestrator'));
const files = readdirSync(join(warmRoot, 'libs')).flatMap((lib) =>
  readdirSync(join(warmRoot, 'libs', lib, 'agent-tasks')).map((file) => `libs/${lib}/agent-tasks/${file}`),
);
const context = { workspaceRoot: warmRoot, nxJsonConfiguration: {} };
const inProcess = { 'createNodes, cold cache': [], 'createNodes, warm cache': [] };
const originalWrite = process.stderr.write.bind(process.stderr);
for (let round = 0; round < ROUNDS * 3; round++) {
  for (const name of Object.keys(inProcess)) {
    if (name.includes('cold')) clearPluginCache(warmRoot);
    const started = process.hrtime.bigint();
    const results = await plugin.createNodes[1](files, { defaultAgent: 'scripted' }, context);
    inProcess[name].push(Number(process.hrtime.bigint() - started) / 1e6);
    if (results.length !== files.length) throw new Error('createNodes returned the wrong number of results');
  }
}
process.stderr.write = originalWrite;

printRatios(
  `Project graph with ${PROJECTS * TASKS_PER_PROJECT} task specs in ${PROJECTS} projects (nx show projects, no daemon, ${ROUNDS} interleaved rounds, medians):`,
  times,
  'no plugin',
);
printRatios(`The plugin's createNodes alone, in-process (${ROUNDS * 3} rounds, medians):`, inProcess, 'createNodes, cold cache', 'ms', 1);
cleanUp(base, dirname(modules));
