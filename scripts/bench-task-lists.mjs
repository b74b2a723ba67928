#!/usr/bin/env node
// Project-graph time for the 3,000-task case of issue 13: 263 real-shaped `03-tasks.json`
// decompositions (the dork-labs/dorkos layout, built from the committed fixtures), against the
// same workspace without the plugin, cold and warm parse cache, side by side (interleaved
// rounds, medians). `writeDecompositionWorkspace` is self-contained so a combined bench can call it.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEnv as env, buildAndInstallPlugin, cleanUp, printRatios, rounds, run, time } from './bench-harness.mjs';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'packages/orchestrator-plugin/src/testing/fixtures/task-lists/decomposition/specs');
export const DECOMPOSITION_FILES = 263;

/**
 * Writes `files` decompositions under `root/specs/<slug>/03-tasks.json`, cycling through the real
 * fixtures and repeating each file's tasks (ids suffixed, edges kept) until about 12 tasks per
 * file, 3,000+ in all. Returns the number of tasks written.
 */
export function writeDecompositionWorkspace(root, { withPlugin, modules, files = DECOMPOSITION_FILES }) {
  const nxJson = { analytics: false, plugins: withPlugin ? [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'scripted' } }] : [] };
  writeFileSync(join(root, 'nx.json'), JSON.stringify(nxJson));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'bench', private: true }));
  const sources = readdirSync(FIXTURES).map((name) => JSON.parse(readFileSync(join(FIXTURES, name, '03-tasks.json'), 'utf8')));
  let tasks = 0;
  for (let index = 0; index < files; index++) {
    const source = sources[index % sources.length];
    const list = source.tasks ?? (source.phases ?? source.batches).flatMap((group) => group.tasks);
    const copies = Math.max(1, Math.round(12 / list.length));
    const repeated = [];
    for (let copy = 0; copy < copies; copy++) {
      const suffix = copy ? `-${copy}` : '';
      for (const task of list) {
        const dependencies = task.dependencies ?? task.dependsOn ?? [];
        repeated.push({ ...task, id: `${task.id}${suffix}`, dependencies: dependencies.map((id) => `${id}${suffix}`), dependsOn: undefined });
      }
    }
    const slug = `spec-${String(index).padStart(3, '0')}`;
    mkdirSync(join(root, 'specs', slug), { recursive: true });
    writeFileSync(
      join(root, 'specs', slug, '03-tasks.json'),
      JSON.stringify({ slug, spec: `specs/${slug}/02-specification.md`, generatedAt: '2026-01-01', tasks: repeated }, null, 2),
    );
    tasks += repeated.length;
  }
  if (modules) symlinkSync(modules, join(root, 'node_modules'));
  run('git', ['init', '-q'], root, env);
  return tasks;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ROUNDS = rounds(5);
  const modules = buildAndInstallPlugin();
  const base = mkdtempSync(join(tmpdir(), 'nx-agent-bench-lists-'));
  const variants = {
    'no plugin': { root: join(base, 'without'), withPlugin: false, cold: false },
    'plugin, cold cache': { root: join(base, 'cold'), withPlugin: true, cold: true },
    'plugin, warm cache': { root: join(base, 'warm'), withPlugin: true, cold: false },
  };
  let taskCount = 0;
  const showProjects = (root) => time(() => run(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'show', 'projects', '--json'], root, env)).ms;
  for (const variant of Object.values(variants)) {
    mkdirSync(variant.root);
    taskCount = writeDecompositionWorkspace(variant.root, { withPlugin: variant.withPlugin, modules });
    showProjects(variant.root);
  }
  const clearPluginCache = (root) => {
    const data = join(root, '.nx', 'workspace-data');
    for (const file of readdirSync(data)) if (file.startsWith('nx-agent-orchestrator-specs-')) rmSync(join(data, file));
  };
  const times = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
  const names = Object.keys(variants);
  for (let round = 0; round < ROUNDS; round++) {
    for (let index = 0; index < names.length; index++) {
      const name = names[(index + round) % names.length];
      if (variants[name].cold) clearPluginCache(variants[name].root);
      times[name].push(showProjects(variants[name].root));
    }
  }
  printRatios(
    `Project graph with ${DECOMPOSITION_FILES} decompositions, ${taskCount} tasks (nx show projects, no daemon, ${ROUNDS} interleaved rounds, medians):`,
    times,
    'no plugin',
  );
  cleanUp(base, dirname(modules));
}
