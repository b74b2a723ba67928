import type { SpecProblem } from '../task-spec/spec-error';
import { formatProblemReport } from './report-problems';

const problem: SpecProblem = { code: 'cycle', file: 'apps/api/a.agent.md', line: 1, taskId: 'a', message: 'dependency cycle: a -> a' };
const unlocated: SpecProblem = { code: 'syntax', file: 'apps/api/agent-tasks.json', message: 'invalid JSON: unexpected end' };
const warning: SpecProblem = {
  code: 'parallel-claim',
  file: 'specs/03-tasks.json',
  line: 4,
  taskId: '1',
  message: 'task "1" claims to run in parallel with "9", which is not a task of project "specs"',
};

describe('formatProblemReport', () => {
  it('is empty when there is nothing to report', () => {
    expect(formatProblemReport([], [], 'agent')).toBe('');
  });

  it('counts in the singular and locates a problem by file and line', () => {
    expect(formatProblemReport([problem], [], 'agent')).toBe(
      'nx-agent-orchestrator: 1 problem in 1 agent task spec file. Valid tasks still run; running an invalid one fails with its problem.\n' +
        '  apps/api/a.agent.md:1: dependency cycle: a -> a\n',
    );
  });

  it('counts files, not problems, and leaves out an unknown line', () => {
    expect(
      formatProblemReport([problem, { ...problem, line: 7 }, unlocated], [], 'agent')
        .split('\n')
        .slice(0, 4),
    ).toEqual([
      'nx-agent-orchestrator: 3 problems in 2 agent task spec files. Valid tasks still run; running an invalid one fails with its problem.',
      '  apps/api/a.agent.md:1: dependency cycle: a -> a',
      '  apps/api/a.agent.md:7: dependency cycle: a -> a',
      '  apps/api/agent-tasks.json: invalid JSON: unexpected end',
    ]);
  });

  it('reports warnings alone, naming the aggregate target', () => {
    expect(formatProblemReport([], [warning, warning], 'run-agents')).toBe(
      'nx-agent-orchestrator: 2 warnings (the tasks still run as the dependencies say; `nx run-many -t run-agents` is unaffected):\n' +
        `  specs/03-tasks.json:4: ${warning.message}\n`.repeat(2),
    );
  });
});
