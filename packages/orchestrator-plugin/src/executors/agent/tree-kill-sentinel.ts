import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { StopCheck } from '../../agents/stop-check';

/** How long after a child process exited a run that ended well waits for a stop Nx may be signalling at that moment (see signalledWithin). */
export const STOP_GRACE_MS = 200;

/** A leaf process that tells whether Nx has started stopping this task's process tree. */
export interface TreeKillSentinel {
  /** True once the sentinel was signalled (pending, dying or gone): the tree is being stopped. */
  signalled(): boolean;
  /**
   * Whether the sentinel is signalled within `graceMs` (true at once if it already is, or when
   * `orWhen` aborts). For the moment an agent has exited 0: Nx signals the deepest processes of
   * the tree first, so the agent's own children can die (and the agent exit 0) a moment before
   * Nx reaches the sentinel, a child of the executor; on a loaded machine that moment was
   * measured at up to 72 ms. Without /proc (macOS) only the sentinel's exit tells, which needs
   * the event loop: this wait gives it the chance.
   */
  signalledWithin(graceMs: number, orWhen?: AbortSignal): Promise<boolean>;
  /** Retires the sentinel at the end of a run that was not stopped. */
  retire(): void;
}

// SIGHUP, SIGINT and SIGTERM as bits of /proc's pending-signal masks (bit n-1 for signal n).
const STOP_SIGNALS = (1n << 0n) | (1n << 1n) | (1n << 14n);

/**
 * Learns of Ctrl-C / SIGTERM as early as the agent does. Nx stops a task by signalling its
 * process tree leaves first and the executor last, so an agent whose children die can exit 0
 * before the executor hears anything, and look like a success. The sentinel (`cat` on a pipe)
 * is a leaf signalled with the agent's leaves: its exit calls `onKilled`, and `signalled()`
 * reads its state from /proc at once, without waiting for events. It exits on its own when
 * the executor dies (end of stdin), so it is never orphaned. No sentinel on Windows.
 */
export function startTreeKillSentinel(onKilled: () => void): TreeKillSentinel {
  const none: TreeKillSentinel = { signalled: () => false, signalledWithin: async (_graceMs, orWhen) => !!orWhen?.aborted, retire: () => undefined };
  if (process.platform === 'win32') return none;
  let retired = false;
  let exited = false;
  try {
    const sentinel = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    sentinel.on('error', () => undefined);
    sentinel.stdin.on('error', () => undefined);
    sentinel.on('exit', () => {
      exited = true;
      if (!retired) onKilled();
    });
    // The sentinel must not keep the executor's event loop alive.
    sentinel.unref();
    (sentinel.stdin as unknown as { unref?: () => void }).unref?.();
    const signalled = () => exited || (sentinel.pid !== undefined && procSaysSignalled(sentinel.pid));
    return {
      signalled,
      signalledWithin: (graceMs, orWhen) =>
        new Promise<boolean>((resolve) => {
          const deadline = Date.now() + graceMs;
          const check = () => {
            if (signalled() || orWhen?.aborted) return resolve(true);
            if (Date.now() >= deadline) return resolve(false);
            setTimeout(check, Math.min(10, Math.max(1, deadline - Date.now())));
          };
          check();
        }),
      retire: () => {
        retired = true;
        sentinel.stdin.end();
      },
    };
  } catch {
    return none;
  }
}

/** Linux: the process is gone, a zombie, or has a stop signal pending. Elsewhere: false. */
function procSaysSignalled(pid: number): boolean {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux';
  }
  if (/^State:\s*[ZX]/m.test(status)) return true;
  return [...status.matchAll(/^(SigPnd|ShdPnd):\s*([0-9a-f]+)/gm)].some((match) => (BigInt(`0x${match[2]}`) & STOP_SIGNALS) !== 0n);
}

/**
 * The stop check both executors give their runs: the sentinel's word at once, and, when a child
 * process decided the outcome, up to STOP_GRACE_MS from that process's exit for a signal on its
 * way (the time since then already counts). An in-process agent without checks waits for nothing.
 */
export function stopCheckOf(sentinel: TreeKillSentinel, stop: AbortSignal): (check: StopCheck) => Promise<boolean> {
  return ({ msSinceChildProcessExit }) =>
    sentinel.signalledWithin(msSinceChildProcessExit === undefined ? 0 : Math.max(0, STOP_GRACE_MS - msSinceChildProcessExit), stop);
}
