import { parseSpecFile } from './parse-spec-file';

describe('verify commands in task lists other tools write', () => {
  it('a task-master task names its checks with the verify field; its testStrategy stays in the prompt', () => {
    const parsed = parseSpecFile(
      '.taskmaster/tasks/tasks.json',
      JSON.stringify({
        master: {
          tasks: [
            { id: 1, title: 'Add the parser', testStrategy: 'Unit tests for every grammar rule', verify: 'npm test', verifyAttempts: 3, dependencies: [] },
            { id: 2, title: 'Document it', dependencies: [1] },
          ],
        },
      }),
    );
    expect(parsed.problems).toEqual([]);
    const [first, second] = parsed.tasks;
    expect([first.verify, first.verifyAttempts, second.verify]).toEqual([['npm test'], 3, undefined]);
    expect(first.prompt).toContain('Unit tests for every grammar rule');
    expect(first.extra).toBeUndefined();
  });

  it('a 03-tasks entry with a bad verify entry is refused with the fix, its acceptance and testPlan stay in the prompt', () => {
    const parsed = parseSpecFile(
      'docs/03-tasks.json',
      JSON.stringify({ tasks: [{ id: 'T1', title: 'Parser', acceptance: ['parses x'], testPlan: 'run the suite', verify: ['nx:{projct}:test'] }] }),
    );
    expect(parsed.problems.map((problem) => problem.message).join('\n')).toContain('Did you mean {project}?');
    const valid = parseSpecFile(
      'docs/03-tasks.json',
      JSON.stringify({ tasks: [{ id: 'T1', title: 'Parser', acceptance: ['parses x'], testPlan: 'run the suite', verify: ['nx:{project}:test'] }] }),
    );
    expect(valid.tasks[0].verify).toEqual(['nx:{project}:test']);
    expect(valid.tasks[0].prompt).toContain('parses x');
    expect(valid.tasks[0].prompt).toContain('run the suite');
  });

  it('a spec-kit task names its check in its text (verify: `command`), which is not taken for a file it writes', () => {
    const tasks = [
      '# Tasks: Parser',
      '',
      '## Phase 1: Core',
      '',
      '- [ ] T001 Create src/parser.ts verify: `npx jest test/parser.spec.ts`',
      '- [ ] T002 Document it in docs/parser.md verify: `nx:{projct}:lint`',
      '',
    ].join('\n');
    const parsed = parseSpecFile('specs/001-parser/tasks.md', tasks);
    const [first, second] = parsed.tasks;
    expect(first.verify).toEqual(['npx jest test/parser.spec.ts']);
    expect(first.writes).toEqual(['{workspaceRoot}/src/parser.ts']);
    expect(second.verify).toBeUndefined();
    expect(parsed.notes?.map((note) => [note.taskId, note.code, note.message])).toEqual([
      ['T002', 'invalid-field', expect.stringContaining('Did you mean {project}?')],
    ]);
  });
});
