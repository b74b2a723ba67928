import { parseSpecFile } from './parse-spec-file';
import { isTaskListFile } from './spec-format';

const lines = (...text: string[]) => text.join('\n');

/** The one task of a file, or the file's problems as messages. */
function read(file: string, content: string) {
  const parsed = parseSpecFile(file, content);
  return { task: parsed.tasks[0], problems: parsed.problems.map((problem) => `${problem.line ?? '-'}: ${problem.message}`) };
}

describe('produces', () => {
  it('is read from a *.agent.md frontmatter, and joins the outputs and the writes', () => {
    const { task, problems } = read('apps/shop/plan.agent.md', lines('---', 'produces: plan/agent-tasks.json', 'outputs: [docs/plan.md]', '---', 'Plan it.'));
    expect(problems).toEqual([]);
    expect(task).toMatchObject({
      produces: 'plan/agent-tasks.json',
      outputs: ['docs/plan.md', 'plan/agent-tasks.json'],
      writes: ['docs/plan.md', 'plan/agent-tasks.json'],
    });
  });

  it('is added to explicit writes, and not twice to outputs that name it already', () => {
    const { task } = read(
      'apps/shop/agent-tasks.yaml',
      lines('tasks:', '  - id: plan', '    prompt: Plan.', '    produces: plan/03-tasks.json', '    outputs: [plan/03-tasks.json]', '    writes: [notes/**]'),
    );
    expect(task).toMatchObject({ outputs: ['plan/03-tasks.json'], writes: ['notes/**', 'plan/03-tasks.json'] });
  });

  const refused: Array<{ name: string; produces: unknown; message: RegExp }> = [
    {
      name: 'a single-task *.agent.md',
      produces: 'plan/next.agent.md',
      message: /"plan\/next.agent.md" is not a task list the plugin reads: name the file agent-tasks.json, agent-tasks.yaml/,
    },
    { name: 'a file the plugin does not read', produces: 'plan/tasks.json', message: /"plan\/tasks.json" is not a task list the plugin reads/ },
    { name: 'a glob', produces: 'plan/*/agent-tasks.json', message: /is a pattern: produces names one file/ },
    { name: 'a negation', produces: '!plan/agent-tasks.json', message: /is a pattern: produces names one file/ },
    { name: 'an empty path', produces: '{projectRoot}/', message: /expected the path of a task list file/ },
    { name: 'a list', produces: ['plan/agent-tasks.json'], message: /field "produces" of task "plan": expected a string, got/ },
  ];
  it.each(refused)('refuses $name, naming the field and the line', ({ produces, message }) => {
    const { task, problems } = read('apps/shop/agent-tasks.json', JSON.stringify({ tasks: [{ id: 'plan', prompt: 'Plan.', produces }] }, null, 2));
    expect(task).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(message)]);
    expect(problems[0]).toMatch(/^6: /);
  });

  it('suggests produces for a misspelling', () => {
    const { problems } = read('apps/shop/plan.agent.md', lines('---', 'produce: plan/agent-tasks.json', '---', 'Plan it.'));
    expect(problems).toEqual([expect.stringMatching(/^2: unknown field "produce" in task "plan". Did you mean "produces"\?/)]);
  });

  it('refuses a forEach template that also produces a list', () => {
    const { task, problems } = read(
      'apps/shop/agent-tasks.yaml',
      lines('tasks:', '  - id: port', '    prompt: Port {file}.', '    forEach: { files: "src/*.ts" }', '    produces: plan/agent-tasks.json'),
    );
    expect(task).toBeUndefined();
    expect(problems).toEqual([
      '5: task "port" is a forEach template and produces a task list: a template cannot produce one (let a task after its workers produce it)',
    ]);
  });
});

describe('isTaskListFile', () => {
  it.each([
    ['plan/agent-tasks.json', true],
    ['agent-tasks.yml', true],
    ['a/03-tasks.json', true],
    ['.taskmaster/tasks/tasks.json', true],
    ['specs/checkout/tasks.md', true],
    ['plan/next.agent.md', false],
    ['plan/tasks.md', false],
    ['plan/agent-tasks.toml', false],
  ])('%s: %s', (file, expected) => expect(isTaskListFile(file)).toBe(expected));
});
