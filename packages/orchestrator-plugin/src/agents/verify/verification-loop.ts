import type { CheckResult } from './run-checks';

/** One agent turn and the checks run after it. */
export interface VerificationRound<Result> {
  /** 1 for the first turn, 2 for the first follow-up, ... */
  round: number;
  result: Result;
  /** Empty for a task without checks. */
  checks: CheckResult[];
  passed: boolean;
}

export interface VerificationLoopRequest<Result> {
  /** How many agent turns the checks may take to pass, the first included (verifyAttempts). */
  attempts: number;
  /** Runs one agent turn: the task's own prompt in round 1, then the follow-up built from the failed checks. */
  runAgent(turn: { round: number; followUp?: { prompt: string; previous: Result } }): Promise<Result>;
  /** Runs the task's checks after a turn (not called for a task without checks). */
  runChecks(round: number): Promise<CheckResult[]>;
  hasChecks: boolean;
  /** The next turn's prompt, from the last turn's result and its checks. */
  followUpPrompt(request: { previous: Result; checks: CheckResult[]; round: number }): string;
  signal: AbortSignal;
  /** Each round as soon as its checks are done, so a caller that fails later still has it. */
  onRound?: (round: VerificationRound<Result>) => void;
  log?: (line: string) => void;
}

/** How the loop ended. */
export interface VerificationOutcome<Result> {
  rounds: Array<VerificationRound<Result>>;
  /** Every check of the last round passed (always, for a task without checks). */
  passed: boolean;
  /** The task was stopped (timeout, Ctrl-C) during a round. */
  stopped: boolean;
}

/**
 * The verify gate: an agent's "done" is a claim, the checks decide. Runs the agent, then its
 * checks; while a check fails and attempts remain, gives the same agent the failed checks'
 * output as a follow-up turn and checks again. Errors of a turn (the agent failing outright)
 * are the caller's: they propagate, with the rounds before them already reported to `onRound`.
 */
export async function verificationLoop<Result>(request: VerificationLoopRequest<Result>): Promise<VerificationOutcome<Result>> {
  const rounds: Array<VerificationRound<Result>> = [];
  let followUp: { prompt: string; previous: Result } | undefined;
  for (let round = 1; round <= Math.max(1, request.attempts); round += 1) {
    const result = await request.runAgent({ round, ...(followUp ? { followUp } : {}) });
    if (request.signal.aborted) return { rounds, passed: false, stopped: true };
    const checks = request.hasChecks ? await request.runChecks(round) : [];
    const passed = checks.every((check) => check.passed);
    const completed: VerificationRound<Result> = { round, result, checks, passed };
    rounds.push(completed);
    request.onRound?.(completed);
    if (request.signal.aborted || checks.some((check) => check.stopped)) return { rounds, passed: false, stopped: true };
    if (passed) return { rounds, passed: true, stopped: false };
    const failed = checks.filter((check) => !check.passed).map((check) => check.check);
    if (round >= request.attempts) {
      request.log?.(`verify failed after ${round} attempt${round === 1 ? '' : 's'}: ${failed.join(', ')}`);
      break;
    }
    request.log?.(`verify failed (${failed.join(', ')}): the output goes back to the agent, attempt ${round + 1} of ${request.attempts}`);
    followUp = { prompt: request.followUpPrompt({ previous: result, checks, round: round + 1 }), previous: result };
  }
  return { rounds, passed: false, stopped: false };
}
