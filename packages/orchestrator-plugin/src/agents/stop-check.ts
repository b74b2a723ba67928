/** What a stop check is told about the run it is asked for. */
export interface StopCheck {
  /**
   * How long ago the last child process that decided the outcome exited (a CLI agent's attempt,
   * a verify round's checks); absent when none did (an in-process agent, no checks). A stop that
   * kills process trees deepest first can make such a process exit 0 a moment before this
   * process hears of it: the check may give that moment, counted from the exit. Without one,
   * there is nothing a stop could have faked, nothing to wait for.
   */
  msSinceChildProcessExit?: number;
}

/** Remembers, on a run's clock, when the last child process that decided its outcome exited. */
export interface ChildProcessExits {
  /** A child process that decided the outcome has just exited. */
  exited(): void;
  /** What a stop check is told now. */
  stopCheck(): StopCheck;
}

/** A run's ChildProcessExits, on its clock. */
export function trackChildProcessExits(now: () => number): ChildProcessExits {
  let exitedAt: number | undefined;
  return {
    exited: () => void (exitedAt = now()),
    stopCheck: () => (exitedAt === undefined ? {} : { msSinceChildProcessExit: now() - exitedAt }),
  };
}
