import { DEFAULT_VERIFY_ATTEMPTS } from '../../task-spec/schema';
import type { ResolvedTaskRun } from '../../task-spec/resolved-task-run';
import { parseVerifyCheck, type VerifyCheck } from '../../task-spec/verify-check';
import type { RunRecord } from '../../runs/run-record';
import type { AgentRunResult } from '../agent-adapter';
import { followUpPrompt } from './follow-up-prompt';
import { runChecks, type CheckResult } from './run-checks';
import { verificationLoop } from './verification-loop';
import { verificationPromptSection } from './verification-prompt-section';

/** One agent turn as the verify gate asks for it. */
export interface VerifyTurn {
  round: number;
  prompt: string;
  /** `first`: the task's prompt; `resumed`: the same session goes on; `fresh`: a new session that restates the task. */
  kind: 'first' | 'resumed' | 'fresh';
  /** The previous turn's session, for a provider that can resume one. */
  resumeSessionId?: string;
}

export type VerificationRecord = NonNullable<RunRecord['verification']>;

/** A task's verify settings: its own, else its profile's. */
export interface TaskVerification {
  checks: VerifyCheck[];
  attempts: number;
}

/** The checks and attempts a task runs with (the task's own `verify`/`verifyAttempts` win over its profile's). */
export function taskVerification(run: ResolvedTaskRun): TaskVerification {
  const { task, agent } = run;
  const written = task.verify ?? agent.profile.verify ?? [];
  // Entries were checked at graph time; one that no longer parses is left out rather than run as something else.
  const checks = written.flatMap((entry) => {
    const parsed = parseVerifyCheck(entry);
    return parsed.ok ? [parsed.check] : [];
  });
  return { checks, attempts: task.verifyAttempts ?? agent.profile.verifyAttempts ?? DEFAULT_VERIFY_ATTEMPTS };
}

export interface VerifyTaskRequest {
  run: ResolvedTaskRun;
  /** The task's assembled prompt (upstream summaries included); the verify section is added here. */
  prompt: string;
  /** Where the agent works and the checks run (the task's worktree when isolated). */
  cwd: string;
  isolated: boolean;
  /** The provider can continue a session (capabilities.resume): a follow-up resumes it instead of restating the task. */
  canResume: boolean;
  signal: AbortSignal;
  /** Runs one agent turn, with its retries. */
  runTurn(turn: VerifyTurn): Promise<AgentRunResult>;
  /** The verification so far, after every round (a run that fails later still records it); not called for a task without checks. */
  onProgress(verification: VerificationRecord): void;
  log: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

export interface VerifyTaskOutcome {
  /** The last turn's result, its turns summed over every turn and its files those of every turn. */
  result: AgentRunResult;
  passed: boolean;
  stopped: boolean;
  /** The checks of the last round that failed, as written. */
  failedChecks: string[];
  rounds: number;
}

/**
 * Runs a task's agent under its verify gate: the first turn gets the task's prompt with a
 * section saying how it is judged; after each turn the checks run in the agent's working
 * directory; a failure goes back as a follow-up turn (the same session when the provider can
 * resume it, else a new one given the task, the previous summary and the failed output), up to
 * the task's verifyAttempts. A task without checks is one plain turn.
 */
export async function verifyTask(request: VerifyTaskRequest): Promise<VerifyTaskOutcome> {
  const { run, signal } = request;
  const { checks, attempts } = taskVerification(run);
  const section = verificationPromptSection({ checks, attempts });
  const firstPrompt = section ? `${request.prompt}\n\n${section}` : request.prompt;
  const verification: VerificationRecord = { maxAttempts: attempts, passed: false, rounds: [] };
  const kinds = new Map<number, VerifyTurn['kind']>();
  const results: AgentRunResult[] = [];
  const outcome = await verificationLoop<AgentRunResult>({
    attempts: checks.length ? attempts : 1,
    hasChecks: checks.length > 0,
    signal,
    log: request.log,
    async runAgent({ round, followUp }) {
      const resumeSessionId = request.canResume ? followUp?.previous.sessionId : undefined;
      const kind: VerifyTurn['kind'] = !followUp ? 'first' : resumeSessionId ? 'resumed' : 'fresh';
      kinds.set(round, kind);
      const prompt = followUp ? followUp.prompt : firstPrompt;
      const result = await request.runTurn({ round, prompt, kind, ...(resumeSessionId ? { resumeSessionId } : {}) });
      results.push(result);
      return result;
    },
    runChecks: () =>
      runChecks({
        checks,
        values: { project: run.project.name, projectRoot: run.project.root || '.', workspaceRoot: request.cwd, task: run.task.id },
        cwd: request.cwd,
        isolated: request.isolated,
        signal,
        log: (line) => request.log(`  ${line}`),
        ...(request.env ? { env: request.env } : {}),
      }),
    followUpPrompt: ({ previous, checks: checked, round }) => {
      // The mode follows what the next turn can do: resume the session that produced `previous`, or start a new one.
      const mode = request.canResume && previous.sessionId ? 'resume' : 'fresh';
      return followUpPrompt({
        checks: checked,
        attempt: round,
        attempts,
        mode,
        taskPrompt: firstPrompt,
        previous: { summary: previous.summary, filesWritten: previous.filesWritten },
      });
    },
    onRound: (round) => {
      if (!checks.length) return;
      verification.rounds.push({
        round: round.round,
        turn: kinds.get(round.round) ?? 'first',
        summary: round.result.summary,
        passed: round.passed,
        checks: round.checks.map(recordedCheck),
      });
      verification.passed = round.passed;
      request.onProgress(structuredClone(verification));
    },
  });
  const last = results[results.length - 1];
  const result: AgentRunResult = {
    ...last,
    turns: results.reduce((total, item) => total + item.turns, 0),
    filesWritten: [...new Set(results.flatMap((item) => item.filesWritten))],
  };
  const lastRound = outcome.rounds[outcome.rounds.length - 1];
  return {
    result,
    passed: outcome.passed,
    stopped: outcome.stopped,
    failedChecks: (lastRound?.checks ?? []).filter((check) => !check.passed).map((check) => check.check),
    rounds: outcome.rounds.length,
  };
}

function recordedCheck(check: CheckResult): VerificationRecord['rounds'][number]['checks'][number] {
  return { ...check };
}
