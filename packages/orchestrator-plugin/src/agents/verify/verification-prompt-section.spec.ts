import { parseVerifyCheck, type VerifyCheck } from '../../task-spec/verify-check';
import { verificationPromptSection } from './verification-prompt-section';

describe('verificationPromptSection', () => {
  const checks = ['nx:{project}:test', 'npm run lint'].map((entry) => (parseVerifyCheck(entry) as { ok: true; check: VerifyCheck }).check);

  it('lists acceptance criteria, the test strategy and the checks the agent will be judged by', () => {
    expect(verificationPromptSection({ checks, acceptance: ['sum(1, 2) is 3', ' '], testStrategy: 'Unit tests for sum()', attempts: 2 })).toBe(
      [
        '## How this task is verified',
        '',
        'Acceptance criteria:',
        '- sum(1, 2) is 3',
        '',
        'Test strategy:',
        'Unit tests for sum()',
        '',
        'When you finish, these checks run in the working directory, and the task counts as done only when every one passes:',
        '- `nx:{project}:test` (Nx target: `nx run {project}:test`)',
        '- `npm run lint`',
        'If one fails, you get its output and 1 more attempt to fix it. Run them yourself before you finish where you can.',
      ].join('\n'),
    );
  });

  it('is empty for a task with nothing to verify', () => {
    expect(verificationPromptSection({ checks: [], attempts: 2 })).toBe('');
    expect(verificationPromptSection({ checks: [], acceptance: 'It works', attempts: 1 })).toBe(
      '## How this task is verified\n\nAcceptance criteria:\n- It works',
    );
  });
});
