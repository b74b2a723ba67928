#!/usr/bin/env node
// `npm run bench`: every benchmark in one run, printed as one table of ratios measured side by
// side (this machine is shared and noisy: only ratios within one run mean anything), and
// written as JSON to tmp/bench/results.json. What each figure means: docs/benchmarks.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { buildAndInstallPlugin, cleanUp, repoRoot } from './bench-harness.mjs';
import { benchCacheReplay } from './bench-cache-replay.mjs';
import { benchExecutorOverhead } from './bench-executor-overhead.mjs';
import { benchLimits } from './bench-limits.mjs';
import { benchProjectGraph } from './bench-project-graph.mjs';
import { benchScheduling } from './bench-scheduling.mjs';

const require = createRequire(import.meta.url);
const COLUMNS = ['x baseline', 'x LB', 'x ref', 'x waves', 'x same-cost waves', 'x make'];
const SECTIONS = { overhead: benchExecutorOverhead, graph: benchProjectGraph, replay: benchCacheReplay, scheduling: benchScheduling, limits: benchLimits };
// BENCH_ONLY=overhead,graph runs some sections while working on them.
const chosen = (process.env.BENCH_ONLY ?? Object.keys(SECTIONS).join(',')).split(',');

const machine = () => ({
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
  node: process.version,
  nx: require(join(repoRoot, 'node_modules/nx/package.json')).version,
  loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
});

function formatValue({ value, unit }) {
  if (unit === 's') return `${value.toFixed(value < 10 ? 2 : 1)} s`;
  if (unit === 'ms') return `${value.toFixed(0)} ms`;
  return `${value} ${unit}`;
}

/** The rows as one markdown table. */
function table(rows) {
  const header = ['benchmark', 'case', 'measured', ...COLUMNS, 'note'];
  const lines = rows.map((entry) => [
    entry.benchmark,
    entry.case,
    formatValue(entry),
    ...COLUMNS.map((column) => (entry.ratios[column] === undefined ? '' : entry.ratios[column].toFixed(2))),
    entry.note ?? '',
  ]);
  const widths = header.map((title, index) => Math.max(title.length, ...lines.map((line) => line[index].length)));
  const format = (cells) => `| ${cells.map((cell, index) => cell.padEnd(widths[index])).join(' | ')} |`;
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}

const started = Date.now();
const before = machine();
const modules = buildAndInstallPlugin();
const rows = [];
const folders = [dirname(modules)];
try {
  for (const [name, bench] of Object.entries(SECTIONS)) {
    if (!chosen.includes(name)) continue;
    const sectionStarted = Date.now();
    console.log(`Running ${name}...`);
    const result = await bench({ modules });
    rows.push(...result.rows);
    folders.push(...(result.roots ?? []), ...(result.root ? [result.root] : []));
    console.log(`  ${name}: ${((Date.now() - sectionStarted) / 1000).toFixed(0)} s`);
  }
} finally {
  cleanUp(...folders);
}
const after = machine();
const minutes = ((Date.now() - started) / 60000).toFixed(1);
console.log(`\n${table(rows)}\n`);
console.log(`Machine: ${before.cpu}, ${before.cores} cores, ${before.memoryGiB} GiB, Node ${before.node}, Nx ${before.nx}.`);
console.log(`Load average (1, 5, 15 min) before: ${before.loadAverage.join(', ')}; after: ${after.loadAverage.join(', ')}. Took ${minutes} min.`);
const output = join(repoRoot, 'tmp', 'bench', 'results.json');
mkdirSync(dirname(output), { recursive: true });
writeFileSync(
  output,
  `${JSON.stringify({ machine: { ...before, loadAverageAfter: after.loadAverage }, minutes: Number(minutes), columns: COLUMNS, rows }, null, 2)}\n`,
);
console.log(`Written to ${output}.`);
