import { parseSpecFile } from './parse-spec-file';

/** A task's own spend limits, in every format that carries task fields. */
describe('maxCost and maxTokens', () => {
  it.each([
    ['a frontmatter', 'apps/api/write.agent.md', '---\nmaxCost: 0.75\nmaxTokens: 200000\n---\nWrite it.\n'],
    ['a task list', 'apps/api/agent-tasks.yaml', 'tasks:\n  - id: write\n    prompt: Write it.\n    maxCost: 0.75\n    maxTokens: 200000\n'],
    ['a decomposition', 'apps/api/03-tasks.json', JSON.stringify({ tasks: [{ id: 'write', subject: 'Write it', maxCost: 0.75, maxTokens: 200000 }] })],
  ])('are read from %s', (_format, file, content) => {
    const parsed = parseSpecFile(file, content);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tasks[0]).toMatchObject({ maxCost: 0.75, maxTokens: 200_000 });
  });

  it('are left out when not set', () => {
    const [task] = parseSpecFile('apps/api/write.agent.md', '---\nretries: 1\n---\nWrite it.\n').tasks;
    expect(Object.keys(task)).not.toContain('maxCost');
    expect(Object.keys(task)).not.toContain('maxTokens');
  });

  it.each([
    ['maxCost: 0', /field "maxCost" of task "write": expected more than 0, got 0/],
    ['maxCost: cheap', /field "maxCost" of task "write": expected a number, got "cheap"/],
    ['maxTokens: 1.5', /field "maxTokens" of task "write": expected a whole number, got 1.5/],
  ])('refuse %s with the fix', (line, message) => {
    const parsed = parseSpecFile('apps/api/write.agent.md', `---\n${line}\n---\nWrite it.\n`);
    expect(parsed.problems.map((problem) => problem.message)).toEqual([expect.stringMatching(message)]);
  });
});
