import type { VerifyCheck } from '../../task-spec/verify-check';

export interface VerificationPromptSectionRequest {
  /** The task's `verify` checks, as written. */
  checks: readonly VerifyCheck[];
  /** How the task's author says it is tested (task-master `testStrategy`, decomposition `testPlan`). */
  testStrategy?: string;
  /** What must hold when it is done (decomposition `acceptance`): a list or a text. */
  acceptance?: string | readonly string[];
  /** The attempts the agent has to make every check pass (verifyAttempts). */
  attempts: number;
}

/**
 * The part of a task's first prompt that says how the result will be judged: the acceptance
 * criteria and test strategy the task list gave, and the checks that run when the agent
 * finishes, so the agent can run them itself before it says it is done. Empty when the task
 * has none of these.
 */
export function verificationPromptSection(request: VerificationPromptSectionRequest): string {
  const acceptance = typeof request.acceptance === 'string' ? [request.acceptance] : [...(request.acceptance ?? [])];
  const parts: string[] = [];
  const criteria = acceptance.map((item) => item.trim()).filter(Boolean);
  if (criteria.length) parts.push('Acceptance criteria:', ...criteria.map((item) => `- ${item}`), '');
  if (request.testStrategy?.trim()) parts.push('Test strategy:', request.testStrategy.trim(), '');
  if (request.checks.length) {
    parts.push(
      'When you finish, these checks run in the working directory, and the task counts as done only when every one passes:',
      ...request.checks.map((check) => `- \`${check.written}\`${check.kind === 'nx' ? ` (Nx target: \`nx run ${check.target}\`)` : ''}`),
      request.attempts > 1
        ? `If one fails, you get its output and ${request.attempts - 1} more attempt${request.attempts === 2 ? '' : 's'} to fix it. Run them yourself before you finish where you can.`
        : 'There is no second attempt: run them yourself before you finish where you can.',
      '',
    );
  }
  if (!parts.length) return '';
  return ['## How this task is verified', '', ...parts].join('\n').trimEnd();
}
