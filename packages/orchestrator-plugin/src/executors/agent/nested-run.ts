import { spawn as spawnProcess } from 'node:child_process';
import { SYSTEM_PROCESS_TABLE, type ProcessTable } from '../../limits/process-identity';
import { STAND_IN_ENV } from '../../limits/run-identity';
import { withStandIn } from './stand-in';

/**
 * Variables Nx sets for the one task it forks (its target, hash, output file, the nx processes
 * above it). A nested nx must not inherit them: they would point its own tasks at this task's
 * output file, and NX_INVOCATION_ANCESTOR_PIDS makes Nx 24 stop with "Recursive task invocation
 * detected" when the nested run reaches the analysis task that started it. That loop is wanted
 * here, and ended by the stand-in list instead: the analysis task does nothing in its own nested run.
 */
const PER_TASK_NX_VARIABLES = [
  'NX_TASK_TARGET_PROJECT',
  'NX_TASK_TARGET_TARGET',
  'NX_TASK_TARGET_CONFIGURATION',
  'NX_TASK_HASH',
  'NX_FORKED_TASK_EXECUTOR',
  'NX_TERMINAL_OUTPUT_PATH',
  'NX_TERMINAL_CAPTURE_STDERR',
  'NX_STREAM_OUTPUT',
  'NX_PREFIX_OUTPUT',
  'NX_INVOCATION_ANCESTOR_PIDS',
  'NX_SET_CLI',
  'NX_CLI_SET',
];

/** What the nested run is started with. */
export interface NestedRunCommandRequest {
  /** The nx CLI of the workspace (`nx/bin/nx.js`, resolved from the workspace root). */
  nxBin: string;
  /** `project:target` to run: the produced project's aggregate target. */
  target: string;
  /** The Nx task id of the analysis task starting the run: added to the stand-in list. */
  analysisTaskId: string;
  /** The command line of the nx process this task runs in (its options are passed on). */
  parentArguments: readonly string[];
  /** This process's environment. */
  env: NodeJS.ProcessEnv;
}

/**
 * The argv and environment of the nested nx: `nx run <produced project>:<aggregate>` with the
 * parent's `--parallel`, output style (the terminal UI becomes `stream`: the nested run prints
 * into one task's output), cache switches, `--batch` and `--verbose`. The daemon is off for it:
 * the produced list was written a moment ago, and a daemon's file watcher may not have seen it
 * yet. The run id (NX_AGENT_RUN_ID) is inherited, so both runs share one budget and journal. Pure.
 */
export function nestedRunCommand(request: NestedRunCommandRequest): { args: string[]; env: NodeJS.ProcessEnv } {
  const passed = passedOptions(request.parentArguments);
  const env: NodeJS.ProcessEnv = { ...request.env };
  for (const name of PER_TASK_NX_VARIABLES) delete env[name];
  env[STAND_IN_ENV] = withStandIn(request.env, request.analysisTaskId);
  env.NX_TUI = 'false';
  env.NX_DAEMON = 'false';
  return { args: [request.nxBin, 'run', request.target, ...passed], env };
}

/** The parent's options a nested run takes over, in the nested command's form. */
export function passedOptions(argv: readonly string[]): string[] {
  const passed: string[] = [];
  let outputStyle = 'stream';
  for (let index = 0; index < argv.length; index++) {
    const match = /^--([A-Za-z-]+)(?:=(.*))?$/.exec(argv[index]);
    if (!match) continue;
    const name = match[1].replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const next = argv[index + 1];
    const value = match[2] ?? (next !== undefined && !next.startsWith('-') ? next : undefined);
    if (name === 'parallel' || name === 'maxParallel') {
      if (value !== undefined && /^(\d+|true|false)$/.test(value)) passed.push(`--parallel=${value}`);
    } else if (name === 'outputStyle') {
      if (value && value !== 'tui') outputStyle = value;
    } else if (['skipNxCache', 'skipRemoteCache', 'verbose', 'batch', 'nxBail'].includes(name) && (match[2] === undefined || match[2] === 'true')) {
      passed.push(`--${name}`);
    }
  }
  return [...passed, `--outputStyle=${outputStyle}`];
}

/**
 * The command line of the nx process this one runs under: the parent process, or its parent when
 * the parent is one of Nx's per-task wrappers (`tasks-runner/fork.js`, under the terminal UI).
 * Linux /proc; empty where it cannot be read (the nested run then takes Nx's defaults).
 */
export function parentNxArguments(table: ProcessTable = SYSTEM_PROCESS_TABLE, parentPid: number = process.ppid): string[] {
  let pid = parentPid;
  for (let depth = 0; depth < 3; depth++) {
    const argv = (table.readProc(`/proc/${pid}/cmdline`) ?? '').split('\0').filter(Boolean);
    if (!argv.some((argument) => /tasks-runner[/\\]fork\.js$/.test(argument))) return argv;
    const stat = table.readProc(`/proc/${pid}/stat`) ?? '';
    const parent = Number(
      stat
        .slice(stat.lastIndexOf(')') + 1)
        .trim()
        .split(/\s+/)[1],
    );
    if (!Number.isInteger(parent) || parent <= 0) return [];
    pid = parent;
  }
  return [];
}

/** Runs a nested nx: its output reaches `log` line by line; an abort stops it (SIGTERM, then SIGKILL). */
export interface NestedRunRequest {
  workspaceRoot: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Injectable for tests; default node's spawn. */
  spawn?: typeof spawnProcess;
  /** How long the nested nx gets to stop its tasks after SIGTERM. */
  stopGraceMs?: number;
}

/** Starts the nested nx (the same node binary, argv array, cwd the workspace root) and says whether it succeeded. */
export function runNested(request: NestedRunRequest): Promise<{ success: boolean; exitCode: number | null; signal: NodeJS.Signals | null }> {
  const spawn = request.spawn ?? spawnProcess;
  return new Promise((resolve, reject) => {
    if (request.signal.aborted) {
      resolve({ success: false, exitCode: null, signal: null });
      return;
    }
    const child = spawn(process.execPath, request.args, { cwd: request.workspaceRoot, env: request.env, stdio: ['ignore', 'pipe', 'pipe'] });
    // One splitter per stream, so a line half-written to one is never joined with the other's.
    const streams = [lineSplitter(request.log), lineSplitter(request.log)];
    child.stdout!.on('data', (chunk: Buffer) => streams[0].push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => streams[1].push(chunk));
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), request.stopGraceMs ?? 5_000);
      killTimer.unref();
    };
    request.signal.addEventListener('abort', stop, { once: true });
    child.on('error', (error) => {
      request.signal.removeEventListener('abort', stop);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      request.signal.removeEventListener('abort', stop);
      if (killTimer) clearTimeout(killTimer);
      for (const stream of streams) stream.end();
      resolve({ success: exitCode === 0 && !request.signal.aborted, exitCode, signal });
    });
  });
}

/** Whole lines of a byte stream, as they complete; the rest at the end. */
function lineSplitter(log: (line: string) => void): { push: (chunk: Buffer) => void; end: () => void } {
  let pending = '';
  return {
    push: (chunk) => {
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const part of parts) log(part);
    },
    end: () => {
      if (pending) log(pending);
      pending = '';
    },
  };
}
