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
    expect(formatProblemReport({ problems: [], warnings: [], aggregateTarget: 'agent' })).toBe('');
  });

  it('counts in the singular and locates a problem by file and line', () => {
    expect(formatProblemReport({ problems: [problem], warnings: [], aggregateTarget: 'agent' })).toBe(
      'nx-agent-orchestrator: 1 problem in 1 agent task spec file. Valid tasks still run; running an invalid one fails with its problem.\n' +
        '  apps/api/a.agent.md:1: dependency cycle: a -> a\n',
    );
  });

  it('counts files, not problems, and leaves out an unknown line', () => {
    expect(
      formatProblemReport({ problems: [problem, { ...problem, line: 7 }, unlocated], warnings: [], aggregateTarget: 'agent' })
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
    expect(formatProblemReport({ problems: [], warnings: [warning, warning], aggregateTarget: 'run-agents' })).toBe(
      'nx-agent-orchestrator: 2 warnings (the tasks still run as the dependencies say; `nx run-many -t run-agents` is unaffected):\n' +
        `  specs/03-tasks.json:4: ${warning.message}\n`.repeat(2),
    );
  });

  it('groups a large report by kind, in at most 30 lines, and names the full list', () => {
    const many = (code: SpecProblem['code'], count: number) =>
      Array.from({ length: count }, (_, index): SpecProblem => ({
        code,
        file: `specs/s${index % 263}/03-tasks.json`,
        line: index + 1,
        message: `${code} number ${index}`,
      }));
    const problems = [
      ...many('unknown-field', 700),
      ...many('invalid-id', 50),
      ...many('cycle', 3),
      ...many('syntax', 2),
      ...many('missing-prompt', 9),
      ...many('unsafe-name', 1),
      ...many('invalid-field', 4),
    ];
    const report = formatProblemReport({
      problems,
      warnings: [...many('parallel-claim', 89), ...many('other-format', 2), ...many('dependency-note', 1), ...many('unknown-dependency', 5)],
      aggregateTarget: 'agent',
      fullListPath: '.nx/workspace-data/nx-agent-orchestrator-problems.txt',
    });
    const lines = report.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(30);
    expect(lines.slice(0, 4)).toEqual([
      'nx-agent-orchestrator: 769 problems in 263 agent task spec files. Valid tasks still run; running an invalid one fails with its problem.',
      '  unknown-field: 700 (in 263 files)',
      '    specs/s0/03-tasks.json:1: unknown-field number 0',
      '    ... and 699 more',
    ]);
    expect(report).toContain('  ... and 3 more of 2 other kinds');
    expect(lines[lines.length - 1]).toBe('nx-agent-orchestrator: the full list is in .nx/workspace-data/nx-agent-orchestrator-problems.txt');
  });
});
