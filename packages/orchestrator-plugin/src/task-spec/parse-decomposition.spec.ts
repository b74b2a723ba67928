import { parseDecomposition } from './parse-decomposition';
import { parseSpecFile } from './parse-spec-file';
import type { TaskSpec } from './schema';
import type { SpecProblem } from './spec-error';

const FILE = 'specs/auth/03-tasks.json';

/** JSON with one task per line, so line N+2 holds task #N (line 1 is `{`, line 2 opens the list). */
function decomposition(root: Record<string, unknown>, tasks: unknown[]): string {
  const head = Object.entries(root).map(([key, value]) => `  ${JSON.stringify(key)}: ${JSON.stringify(value)},`);
  const entries = tasks.map((entry, index) => `    ${JSON.stringify(entry)}${index < tasks.length - 1 ? ',' : ''}`);
  return ['{', ...head, '  "tasks": [', ...entries, '  ]', '}'].join('\n');
}

/** The defaults the contract promises for a decomposition task. */
function task(line: number, fields: Partial<TaskSpec> & Pick<TaskSpec, 'id' | 'prompt'>): TaskSpec {
  return { dependsOn: [], after: [], inputs: [], outputs: [], writes: [], retries: 2, cache: true, file: FILE, line, format: 'decomposition', ...fields };
}

const ID_RULE = 'use letters, digits, ".", "_" and "-", starting with a letter or digit';

describe('parseDecomposition: valid files', () => {
  const full = {
    id: '1.1',
    phase: 1,
    phaseName: 'Foundation',
    subject: 'Create the user table',
    description: 'Add a migration for users.',
    activeForm: 'Creating the user table',
    size: 'S',
    priority: 'high',
    dependencies: [],
    parallelWith: ['1.2'],
  };
  const rows: Array<{ name: string; root: Record<string, unknown>; tasks: unknown[]; expected: TaskSpec[] }> = [
    {
      name: 'every field; the spec is named in the prompt',
      root: { slug: 'auth', spec: 'Auth rework', title: 'Tasks' },
      tasks: [full],
      expected: [
        task(6, {
          id: '1.1',
          description: 'Create the user table',
          prompt: '# Create the user table\n\nAdd a migration for users.\n\nThis task is part of the spec "Auth rework".',
          parallelWith: ['1.2'],
          phase: '1',
          phaseName: 'Foundation',
        }),
      ],
    },
    {
      name: 'without a spec the prompt is subject and description only',
      root: {},
      tasks: [{ id: '1.1', subject: 'Subject', description: 'Body' }],
      expected: [task(3, { id: '1.1', description: 'Subject', prompt: '# Subject\n\nBody' })],
    },
    { name: 'subject only', root: {}, tasks: [{ id: 'a', subject: 'Subject' }], expected: [task(3, { id: 'a', description: 'Subject', prompt: '# Subject' })] },
    { name: 'description only', root: {}, tasks: [{ id: 'a', description: 'Body' }], expected: [task(3, { id: 'a', description: 'Body', prompt: 'Body' })] },
    {
      name: 'dependencies become dependsOn; numeric ids and references become strings',
      root: {},
      tasks: [
        { id: 1, subject: 'One', phase: 'setup' },
        { id: 2, subject: 'Two', dependencies: [1], parallelWith: [3] },
        { id: 3, subject: 'Three', dependencies: ['1', '2'] },
      ],
      expected: [
        task(3, { id: '1', description: 'One', prompt: '# One', phase: 'setup' }),
        task(4, { id: '2', description: 'Two', prompt: '# Two', dependsOn: ['1'], parallelWith: ['3'] }),
        task(5, { id: '3', description: 'Three', prompt: '# Three', dependsOn: ['1', '2'] }),
      ],
    },
    {
      name: 'task fields of the other formats are accepted too',
      root: {},
      tasks: [{ id: 'a', subject: 'S', agent: 'implementer', outputs: 'src/**', timeout: '15m', retries: 1, cache: false }],
      expected: [
        task(3, {
          id: 'a',
          description: 'S',
          prompt: '# S',
          agent: 'implementer',
          outputs: ['src/**'],
          writes: ['src/**'],
          timeoutMs: 900_000,
          retries: 1,
          cache: false,
        }),
      ],
    },
  ];

  it.each(rows)('$name', ({ root, tasks, expected }) => {
    const parsed = parseDecomposition(FILE, decomposition(root, tasks));
    expect(parsed).toEqual({ file: FILE, format: 'decomposition', slug: root.slug, tasks: expected, problems: [] });
  });

  it('keeps the slug, which names the project when none encloses the file', () => {
    expect(parseDecomposition(FILE, '{ "slug": "auth-rework", "tasks": [] }').slug).toBe('auth-rework');
  });

  it('is what parseSpecFile does for 03-tasks.json', () => {
    const content = decomposition({}, [{ id: '1', subject: 'S' }]);
    expect(parseSpecFile(FILE, content)).toEqual(parseDecomposition(FILE, content));
    expect(parseSpecFile(FILE, content).format).toBe('decomposition');
  });
});

describe('parseDecomposition: problems of the whole file', () => {
  it.each<{ name: string; content: string; expected: SpecProblem[] }>([
    {
      name: 'invalid JSON',
      content: '{\n  "tasks": [\n    { "id": "1", "subject": "S" },\n  ]\n}',
      expected: [{ code: 'syntax', file: FILE, line: 4, message: 'invalid JSON: trailing comma before "]": remove the comma after the last item' }],
    },
    {
      name: 'a root that is a list',
      content: '[]',
      expected: [{ code: 'invalid-field', file: FILE, line: 1, message: 'the file must be a mapping with a "tasks" list, not a list' }],
    },
    {
      name: 'no tasks',
      content: '{\n  "slug": "auth"\n}',
      expected: [{ code: 'invalid-field', file: FILE, line: 1, message: 'the file has no "tasks" field: it must be a list' }],
    },
    {
      name: 'an unknown root field',
      content: '{\n  "slug": "auth",\n  "sepc": "x",\n  "tasks": []\n}',
      expected: [{ code: 'unknown-field', file: FILE, line: 3, message: 'unknown field "sepc" in the file. Did you mean "spec"?' }],
    },
    {
      name: 'a slug that is not a string',
      content: '{\n  "slug": 5,\n  "tasks": []\n}',
      expected: [{ code: 'invalid-field', file: FILE, line: 2, message: 'field "slug" of the file: expected a string, got 5' }],
    },
  ])('$name', ({ content, expected }) => {
    expect(parseDecomposition(FILE, content)).toEqual({ file: FILE, format: 'decomposition', tasks: [], problems: expected });
  });
});

describe('parseDecomposition: one bad task does not hide the valid ones beside it', () => {
  const rows: Array<{ name: string; entry: unknown; problems: SpecProblem[] }> = [
    {
      name: 'an entry that is a string',
      entry: 'Create the table',
      problems: [{ code: 'invalid-field', file: FILE, line: 4, message: 'task #2 must be a mapping of task fields, not a string' }],
    },
    {
      name: 'an entry that is a number',
      entry: 2,
      problems: [{ code: 'invalid-field', file: FILE, line: 4, message: 'task #2 must be a mapping of task fields, not a number' }],
    },
    {
      name: 'no id',
      entry: { subject: 'S' },
      problems: [{ code: 'invalid-id', file: FILE, line: 4, message: 'task #2 has no "id": every task in this file needs one' }],
    },
    {
      name: 'an id that is true',
      entry: { id: true, subject: 'S' },
      problems: [{ code: 'invalid-id', file: FILE, line: 4, message: 'task #2 has an "id" that is a boolean: write a string such as "write-api"' }],
    },
    ...['a:b', 'has space', '-lead', 'x/y'].map((id) => ({
      name: `the invalid id ${id}`,
      entry: { id, subject: 'S' },
      problems: [{ code: 'invalid-id' as const, file: FILE, line: 4, message: `task id "${id}" is not a valid target name: ${ID_RULE}` }],
    })),
    {
      name: 'neither subject nor description',
      entry: { id: '2', phase: 1 },
      problems: [
        { code: 'missing-prompt', file: FILE, line: 4, taskId: '2', message: 'task "2" has neither "subject" nor "description": one of them is its prompt' },
      ],
    },
    {
      name: 'an empty subject',
      entry: { id: '2', subject: '' },
      problems: [
        { code: 'missing-prompt', file: FILE, line: 4, taskId: '2', message: 'task "2" has neither "subject" nor "description": one of them is its prompt' },
      ],
    },
    {
      name: 'two dependency aliases',
      entry: { id: '2', subject: 'S', dependencies: ['1'], blockedBy: ['1'] },
      problems: [
        {
          code: 'invalid-field',
          file: FILE,
          line: 4,
          taskId: '2',
          message: 'task "2" lists dependencies in both "blockedBy" and "dependencies": use one (blockedBy and dependencies are aliases of dependsOn)',
        },
      ],
    },
    {
      name: 'dependencys',
      entry: { id: '2', subject: 'S', dependencys: ['1'] },
      problems: [{ code: 'unknown-field', file: FILE, line: 4, taskId: '2', message: 'unknown field "dependencys" in task "2". Did you mean "dependencies"?' }],
    },
    {
      name: 'retries: "two"',
      entry: { id: '2', subject: 'S', retries: 'two' },
      problems: [{ code: 'invalid-field', file: FILE, line: 4, taskId: '2', message: 'field "retries" of task "2": expected a number, got "two"' }],
    },
    {
      name: 'parallelWith a string',
      entry: { id: '2', subject: 'S', parallelWith: '1' },
      problems: [{ code: 'invalid-field', file: FILE, line: 4, taskId: '2', message: 'field "parallelWith" of task "2": expected a list, got "1"' }],
    },
  ];

  it.each(rows)('$name', ({ entry, problems }) => {
    const content = decomposition({}, [{ id: '1', subject: 'First' }, entry, { id: '3', subject: 'Third', dependencies: ['1'] }]);
    expect(parseDecomposition(FILE, content)).toEqual({
      file: FILE,
      format: 'decomposition',
      tasks: [task(3, { id: '1', description: 'First', prompt: '# First' }), task(5, { id: '3', description: 'Third', prompt: '# Third', dependsOn: ['1'] })],
      problems,
    });
  });
});
