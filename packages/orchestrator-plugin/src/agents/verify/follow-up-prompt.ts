import { CHARACTERS_PER_TOKEN } from './bounded-output';
import type { CheckResult } from './run-checks';

/** The cap on all check output in one follow-up turn, over the per-check cap. */
export const DEFAULT_FOLLOW_UP_OUTPUT_TOKENS = 6_000;

export interface FollowUpPromptRequest {
  /** Every check of the attempt that just ended, passed ones included. */
  checks: readonly CheckResult[];
  /** The attempt this prompt starts, and how many there may be (verifyAttempts). */
  attempt: number;
  attempts: number;
  /**
   * `resume`: the agent's own session continues, so it remembers the task and what it did.
   * `fresh`: a new session (the provider cannot resume one), so the prompt restates the task
   * and what the previous attempt reported.
   */
  mode: 'resume' | 'fresh';
  /** The task's prompt as the first attempt received it (used by `fresh`). */
  taskPrompt: string;
  /** What the previous attempt reported (used by `fresh`). */
  previous?: { summary: string; filesWritten: readonly string[] };
  maxOutputTokens?: number;
}

/**
 * The follow-up turn after a failed verify: the failed checks' output, each in a fence that it
 * cannot close (so output cannot pose as the prompt's own text), within one token cap for the whole turn. For a new
 * session it first restates the task and the previous attempt's summary and files, which stay
 * in the working tree: the agent continues from its own work, it does not start over.
 */
export function followUpPrompt(request: FollowUpPromptRequest): string {
  const failed = request.checks.filter((check) => !check.passed);
  const passed = request.checks.filter((check) => check.passed);
  const budget = Math.floor((request.maxOutputTokens ?? DEFAULT_FOLLOW_UP_OUTPUT_TOKENS) * CHARACTERS_PER_TOKEN);
  const sections = failed.map((check) => failedCheckSection(check, Math.floor(budget / Math.max(1, failed.length))));
  const checkPart = [
    `These checks verify the task, and ${failed.length === 1 ? 'one' : failed.length} of them failed after your changes:`,
    '',
    ...sections,
    ...(passed.length ? [`Passed: ${passed.map((check) => `\`${check.check}\``).join(', ')}.`, ''] : []),
    `Fix the cause of ${failed.length === 1 ? 'the failure' : 'each failure'} so that every check passes, then finish with a short summary of what you changed. ` +
      `This is attempt ${request.attempt} of ${request.attempts}; the checks run again when you finish.`,
  ].join('\n');
  if (request.mode === 'resume') return checkPart;
  const previous = request.previous;
  return [
    request.taskPrompt,
    '',
    '## A previous attempt at this task',
    '',
    'An earlier attempt has already worked on this task. Its changes are still in the working tree: continue from them, do not start over.',
    ...(previous?.summary ? ['', 'It ended with this summary:', '', fenced(previous.summary)] : []),
    ...(previous?.filesWritten.length ? ['', `It changed: ${previous.filesWritten.join(', ')}`] : []),
    '',
    checkPart,
  ].join('\n');
}

function failedCheckSection(check: CheckResult, budgetCharacters: number): string {
  const how = check.signal ? `killed by ${check.signal}` : check.exitCode === null ? 'could not start' : `exit code ${check.exitCode}`;
  const output =
    check.output.length > budgetCharacters ? `[... earlier output cut ...]\n${check.output.slice(check.output.length - budgetCharacters)}` : check.output;
  return [`### \`${check.check}\` failed (${how})`, '', output ? fenced(output) : '(it printed nothing)', ''].join('\n');
}

/** A code fence longer than any backtick run inside the text, so the text cannot close it. */
export function fenced(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}
