import { spawn } from 'node:child_process';
import { AgentError } from '../agent-adapter';

export interface RunProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Written to stdin then closed; without it stdin is ignored (CLIs wait on an open stdin). */
  stdin?: string;
  signal: AbortSignal;
  /** Each complete stdout line, as it arrives (JSONL event streams). */
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** How long a process gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the run was stopped by `signal` (timeout or Ctrl-C), not by the process itself. */
  aborted: boolean;
  stdout: string;
  /** The last lines of stderr, for error messages. */
  stderrTail: string;
}

const STDERR_TAIL_LINES = 40;

/**
 * Runs an agent process in its own process group, so stopping it (abort, timeout, Ctrl-C)
 * stops every process it started: SIGTERM to the group, then SIGKILL after a grace period.
 * Spawned with an argv array, never a shell string. Never rejects for a non-zero exit:
 * the outcome says what happened; it rejects only when the command cannot start.
 */
export function runProcess(options: RunProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    });
    let stdout = '';
    let stdoutBuffer = '';
    let stderrBuffer = '';
    const stderrLines: string[] = [];
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    let groupGone = false;

    // The group outlives its leader: once the agent itself has exited, what it started may
    // still run (and hold stdout open), so kill by group until the group is gone, not until
    // the leader is.
    const killGroup = (signal: NodeJS.Signals) => {
      if (child.pid === undefined || groupGone) return;
      try {
        if (process.platform === 'win32') child.kill(signal);
        else process.kill(-child.pid, signal);
      } catch {
        groupGone = true;
      }
    };
    const stop = () => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), options.killGraceMs ?? 3_000);
    };
    // Last resort: if this process exits while the agent still runs, take the agent with it.
    const onExit = () => killGroup('SIGKILL');
    const releaseExitHook = holdExitListener(onExit);
    if (options.signal.aborted) stop();
    else options.signal.addEventListener('abort', stop, { once: true });

    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      stdout += chunk;
      stdoutBuffer += chunk;
      let newline: number;
      while ((newline = stdoutBuffer.indexOf('\n')) >= 0) {
        const line = stdoutBuffer.slice(0, newline).replace(/\r$/, '');
        stdoutBuffer = stdoutBuffer.slice(newline + 1);
        if (line) options.onStdoutLine?.(line);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      stderrBuffer += chunk;
      let newline: number;
      while ((newline = stderrBuffer.indexOf('\n')) >= 0) {
        const line = stderrBuffer.slice(0, newline).replace(/\r$/, '');
        stderrBuffer = stderrBuffer.slice(newline + 1);
        stderrLines.push(line);
        if (stderrLines.length > STDERR_TAIL_LINES) stderrLines.shift();
        options.onStderrLine?.(line);
      }
    });
    if (options.stdin !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(options.stdin);
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(new AgentError(`could not start ${options.command}: ${error.message}`, { isRetryable: false, cause: error }));
    });
    // The agent exited by itself: what it left running in its group is orphaned, and may hold
    // stdout open so that 'close' never comes. After an abort the kill timer gives them their grace.
    child.on('exit', () => {
      if (!aborted) killGroup('SIGKILL');
    });
    child.on('close', (exitCode, signal) => {
      cleanup();
      if (stdoutBuffer.trim()) options.onStdoutLine?.(stdoutBuffer.replace(/\r$/, ''));
      if (stderrBuffer) {
        const line = stderrBuffer.replace(/\r$/, '');
        stderrLines.push(line);
        options.onStderrLine?.(line);
      }
      // The agent may have left children behind in its group: stop them too.
      killGroup('SIGKILL');
      groupGone = true;
      resolve({ exitCode, signal, aborted, stdout, stderrTail: stderrLines.slice(-STDERR_TAIL_LINES).join('\n') });
    });

    function cleanup() {
      clearTimeout(killTimer);
      options.signal.removeEventListener('abort', stop);
      releaseExitHook();
    }
  });
}

/**
 * Adds a process 'exit' listener and raises the listener limit by one while it is held: a batch
 * running more than ten agents at once is not a leak, and must not print Node's leak warning.
 */
export function holdExitListener(listener: () => void): () => void {
  const limited = process.getMaxListeners() !== 0;
  if (limited) process.setMaxListeners(process.getMaxListeners() + 1);
  process.once('exit', listener);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    process.off('exit', listener);
    if (limited && process.getMaxListeners() > 1) process.setMaxListeners(process.getMaxListeners() - 1);
  };
}
