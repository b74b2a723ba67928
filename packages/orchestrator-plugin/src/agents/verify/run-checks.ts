import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { verifyCheckCommand, type VerifyCheck, type VerifyCheckValues } from '../../task-spec/verify-check';
import { AgentError } from '../agent-adapter';
import { findExecutable } from '../process/find-executable';
import { runProcess } from '../process/run-process';
import { BoundedOutput } from './bounded-output';

/** The token cap of one check's output, as it goes back to the agent and into the record. */
export const DEFAULT_CHECK_OUTPUT_TOKENS = 2_000;

/** How one check went. */
export interface CheckResult {
  /** The entry as the spec wrote it. */
  check: string;
  /** What ran, for people: the argv joined with spaces (a shell command as written, substituted). */
  command: string;
  passed: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the task's timeout or a Ctrl-C stopped it: neither a pass nor the agent's fault. */
  stopped: boolean;
  durationMs: number;
  /** stdout and stderr as they arrived, trimmed to the token cap. */
  output: string;
  omittedLines: number;
}

export interface RunChecksRequest {
  checks: readonly VerifyCheck[];
  values: VerifyCheckValues;
  /** Where the checks run: the agent's working directory (its worktree, when isolated). */
  cwd: string;
  /** True in a task's own worktree: no Nx daemon is started there (it would outlive the worktree). */
  isolated: boolean;
  /** The task's abort signal: its timeout and Ctrl-C stop a running check and its process group. */
  signal: AbortSignal;
  maxOutputTokens?: number;
  /** One line per check started and finished, for the task's terminal output. */
  log?: (line: string) => void;
  /** Every line a check prints, as it prints it. */
  onOutputLine?: (check: string, line: string) => void;
  /** Injectable for tests. */
  env?: NodeJS.ProcessEnv;
  runProcess?: typeof runProcess;
  now?: () => number;
}

/**
 * Runs every check in order and reports each: all of them, not up to the first failure, so
 * one follow-up turn can fix every problem (an agent turn costs far more than a check). Stops
 * early only when the task is stopped. A check runs in its own process group, killed with the
 * task (runProcess); a command that cannot start is a failed check, not a crash.
 */
export async function runChecks(request: RunChecksRequest): Promise<CheckResult[]> {
  const run = request.runProcess ?? runProcess;
  const now = request.now ?? Date.now;
  const env = checkEnvironment(request.env ?? process.env, request.cwd, request.isolated);
  const results: CheckResult[] = [];
  for (const [index, check] of request.checks.entries()) {
    if (request.signal.aborted) break;
    const { kind, argv } = verifyCheckCommand(check, request.values);
    const [command, ...args] = kind === 'nx' ? [nxExecutable(request.cwd, env), ...argv] : argv;
    const shown = kind === 'nx' ? `nx ${argv.join(' ')}` : argv[argv.length - 1];
    request.log?.(`verify ${index + 1}/${request.checks.length}: ${shown}`);
    const output = new BoundedOutput(request.maxOutputTokens ?? DEFAULT_CHECK_OUTPUT_TOKENS);
    const onLine = (line: string) => {
      output.push(line);
      request.onOutputLine?.(check.written, line);
    };
    const startedAt = now();
    const outcome = await run({
      command,
      args,
      cwd: request.cwd,
      env,
      signal: request.signal,
      onStdoutLine: onLine,
      onStderrLine: onLine,
    }).catch((error: unknown) => {
      onLine(error instanceof Error ? error.message : String(error));
      return { exitCode: null, signal: null, aborted: false, stdout: '', stderrTail: '' };
    });
    const { text, omittedLines } = output.result();
    const passed = outcome.exitCode === 0 && !outcome.aborted;
    const result: CheckResult = {
      check: check.written,
      command: shown,
      passed,
      exitCode: outcome.exitCode,
      signal: outcome.signal,
      stopped: outcome.aborted,
      durationMs: now() - startedAt,
      output: text,
      omittedLines,
    };
    results.push(result);
    request.log?.(`verify ${index + 1}/${request.checks.length}: ${describeOutcome(result)} in ${(result.durationMs / 1000).toFixed(1)}s`);
  }
  return results;
}

function describeOutcome(result: CheckResult): string {
  if (result.passed) return 'passed';
  if (result.stopped) return 'stopped';
  if (result.exitCode === null && result.signal === null) return 'could not start';
  return result.signal ? `failed (killed by ${result.signal})` : `failed (exit ${result.exitCode})`;
}

/** The workspace's own nx (`node_modules/.bin/nx`), else one on PATH. */
function nxExecutable(cwd: string, env: NodeJS.ProcessEnv): string {
  const local = join(cwd, 'node_modules', '.bin', process.platform === 'win32' ? 'nx.cmd' : 'nx');
  try {
    accessSync(local, constants.X_OK);
    return local;
  } catch {
    try {
      return findExecutable('nx', cwd, env, 'npm i -D nx');
    } catch (error) {
      throw new AgentError(`a verify check names an Nx target, but ${(error as Error).message}`, { isRetryable: false });
    }
  }
}

/**
 * Variables the outer Nx set for the agent task itself: an `nx` started by a check must not
 * write into the task's terminal-output file, claim its hash or target, or (in a worktree)
 * take the main workspace for its root. The invocation-ancestor list is kept: it is how Nx
 * notices a task that ends up running itself.
 */
const OUTER_TASK_VARIABLES = [
  'NX_TERMINAL_OUTPUT_PATH',
  'NX_TERMINAL_CAPTURE_STDERR',
  'NX_STREAM_OUTPUT',
  'NX_PREFIX_OUTPUT',
  'NX_FORKED_TASK_EXECUTOR',
  'NX_TASK_TARGET_PROJECT',
  'NX_TASK_TARGET_TARGET',
  'NX_TASK_TARGET_CONFIGURATION',
  'NX_TASK_HASH',
  'NX_WORKSPACE_ROOT',
  'NX_WORKSPACE_ROOT_PATH',
  'LERNA_PACKAGE_NAME',
];

/** The environment checks run with: the caller's, without the outer task's Nx variables, without colour. */
export function checkEnvironment(base: NodeJS.ProcessEnv, cwd: string, isolated: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of OUTER_TASK_VARIABLES) delete env[name];
  return {
    ...env,
    NX_TUI: 'false',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    ...(isolated ? { NX_DAEMON: 'false', NX_WORKSPACE_ROOT: cwd } : {}),
  };
}
