import { formatSpecProblem, type SpecProblem } from './spec-error';

describe('formatSpecProblem', () => {
  it.each<{ problem: SpecProblem; expected: string }>([
    {
      problem: {
        code: 'unknown-field',
        file: 'apps/api/write-api.agent.md',
        line: 3,
        taskId: 'write-api',
        message: 'unknown field "timout" in task "write-api". Did you mean "timeout"?',
      },
      expected: 'apps/api/write-api.agent.md:3: unknown field "timout" in task "write-api". Did you mean "timeout"?',
    },
    {
      problem: { code: 'invalid-id', file: 'tasks/write api.agent.md', message: 'task id "write api" is not a valid target name' },
      expected: 'tasks/write api.agent.md: task id "write api" is not a valid target name',
    },
    {
      problem: { code: 'syntax', file: 'agent-tasks.json', line: 1, message: 'invalid JSON: the file is empty' },
      expected: 'agent-tasks.json:1: invalid JSON: the file is empty',
    },
  ])('$expected', ({ problem, expected }) => {
    expect(formatSpecProblem(problem)).toBe(expected);
  });
});
