import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const SOURCE = join(__dirname, '..');
/** What a limits child loads: the limits room, the spec helpers it uses, and the child itself. */
const CHILD_SOURCES = ['limits', 'task-spec'];

let compiled: string | undefined;

/**
 * The child's modules as JavaScript, transpiled once per test worker into a temp folder that
 * mirrors src/ (children then start in tens of milliseconds instead of loading TypeScript).
 */
function compiledChild(): string {
  if (compiled) return compiled;
  const out = mkdtempSync(join(tmpdir(), 'limits-child-'));
  const files = [
    ...CHILD_SOURCES.flatMap((folder) => readdirSync(join(SOURCE, folder)).map((name) => join(SOURCE, folder, name))),
    join(__dirname, 'limits-child.ts'),
  ];
  for (const file of files.filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const target = join(out, relative(SOURCE, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  compiled = join(out, 'testing', 'limits-child.js');
  return compiled;
}

/** A line a limits child process logged. */
export interface ChildLogEntry {
  event: string;
  pid: number;
  at: number;
  [field: string]: unknown;
}

/** Starts a limits child process (see limits-child.ts) running `command`. */
export function startLimitsChild(command: Record<string, unknown>): ChildProcess & { exited: Promise<number | null> } {
  // The transpiled modules find their packages (signal-exit, zod) in the plugin's node_modules.
  const modules = [join(SOURCE, '..', 'node_modules'), join(SOURCE, '..', '..', '..', 'node_modules')].join(':');
  const child = spawn(process.execPath, [compiledChild(), JSON.stringify(command)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_PATH: modules },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return Object.assign(child, { exited });
}

/** Every entry of a children's log so far. */
export function readChildLog(path: string): ChildLogEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ChildLogEntry);
}

/** Waits until `condition` holds for the log, polling; fails after `timeoutMs`. */
export async function waitForLog(path: string, condition: (entries: ChildLogEntry[]) => boolean, timeoutMs = 20_000): Promise<ChildLogEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = readChildLog(path);
    if (condition(entries)) return entries;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for the children's log; it has:\n${entries.map((entry) => JSON.stringify(entry)).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The most holders at any moment, from acquired/released entries (a release before an acquire at the same ms counts first). */
export function mostAtOnce(entries: ChildLogEntry[]): number {
  const changes = entries
    .filter((entry) => entry.event === 'acquired' || entry.event === 'released')
    .map((entry) => ({ at: entry.at, delta: entry.event === 'acquired' ? 1 : -1 }))
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let current = 0;
  let most = 0;
  for (const change of changes) {
    current += change.delta;
    most = Math.max(most, current);
  }
  return most;
}
