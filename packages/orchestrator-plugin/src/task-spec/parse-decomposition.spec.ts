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
          extra: { activeForm: 'Creating the user table', size: 'S', priority: 'high' },
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
      name: 'no tasks in any shape',
      content: '{\n  "slug": "auth"\n}',
      expected: [
        {
          code: 'invalid-field',
          file: FILE,
          line: 1,
          message: 'not a task list: expected a "tasks" list, "phases" or "batches" each with a "tasks" list, or a bare list of tasks; found keys "slug"',
        },
      ],
    },
    {
      name: 'a root that is a string',
      content: '"tasks"',
      expected: [
        {
          code: 'invalid-field',
          file: FILE,
          line: 1,
          message: 'not a task list: expected a "tasks" list, "phases" or "batches" each with a "tasks" list, or a bare list of tasks; found a string',
        },
      ],
    },
  ])('$name', ({ content, expected }) => {
    expect(parseDecomposition(FILE, content)).toEqual({ file: FILE, format: 'decomposition', tasks: [], problems: expected });
  });

  it('a slug that is not a string names no project, and the tasks still load', () => {
    const parsed = parseDecomposition(FILE, '{\n  "slug": 5,\n  "tasks": [{ "id": "1", "subject": "S" }]\n}');
    expect(parsed.problems).toEqual([
      {
        code: 'unsafe-name',
        file: FILE,
        line: 2,
        message:
          '"slug" number cannot name a project (it is not a string); the project is named after its folder instead. Use letters, digits, "-", "_" and "."',
      },
    ]);
    expect(parsed.slug).toBeUndefined();
    expect(parsed.tasks.map((each) => each.id)).toEqual(['1']);
  });
});

describe('parseDecomposition: read, not judged (fields and shapes real workflows write)', () => {
  const parse = (content: unknown) => parseDecomposition(FILE, JSON.stringify(content, null, 2));

  it('keeps unknown top-level and task fields, never reporting them', () => {
    const parsed = parse({
      slug: 'auth',
      generatedAt: '2026-01-01',
      mode: 'full',
      lastDecomposeDate: '2026-01-01',
      tasks: [{ id: '1.1', subject: 'S', issue: 'DOR-1', parentIssue: null, slice: 'D0', points: 3, dependencys: ['x'] }],
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.tasks[0].extra).toEqual({ issue: 'DOR-1', parentIssue: null, slice: 'D0', points: 3, dependencys: ['x'] });
    expect(parsed.tasks[0].dependsOn).toEqual([]);
  });

  it('maps title, every dependency alias, file lists as writes and acceptance text into the prompt', () => {
    const parsed = parse({
      tasks: [
        { id: 'a', title: 'Alpha' },
        { id: 'b', title: 'Beta' },
        {
          id: 'c',
          title: 'Gamma',
          description: 'Do gamma.',
          depends_on: ['a'],
          blockedBy: ['b'],
          dependsOn: ['a'],
          files: ['apps/x/src/a.ts', '(throwaway scripts, nothing committed)', '../outside.ts', '/etc/passwd'],
          owns: ['apps/x/src/routes.ts (wiring only)', 'apps/x/src/__tests__/**'],
          acceptance: ['A passes', 'B passes'],
          testPlan: 'Run the unit tests',
          done: 'Shipped',
        },
      ],
    });
    expect(parsed.problems).toEqual([]);
    const gamma = parsed.tasks[2];
    expect(gamma.dependsOn).toEqual(['a', 'b']);
    expect(gamma.writes).toEqual(['{workspaceRoot}/apps/x/src/a.ts', '{workspaceRoot}/apps/x/src/routes.ts', '{workspaceRoot}/apps/x/src/__tests__/**']);
    expect(gamma.description).toBe('Gamma');
    expect(gamma.prompt).toBe('# Gamma\n\nDo gamma.\n\n## Acceptance criteria\n\n- A passes\n- B passes\n- Shipped\n- Run the unit tests');
  });

  it('reads a dependency written with a note after the id as that id', () => {
    const parsed = parse({
      tasks: [
        { id: '1.1', subject: 'A' },
        { id: '1.2', subject: 'B', dependencies: ['1.1 (for the smoke to go fully green)', 'DOR-676'] },
      ],
    });
    expect(parsed.tasks[1].dependsOn).toEqual(['1.1', 'DOR-676']);
  });

  it('reads tasks nested under phases, with the phase as theirs', () => {
    const parsed = parse({
      phases: [
        { id: 'W1', title: 'Foundations', tasks: [{ id: '1.1', title: 'A', dependsOn: [] }] },
        { id: 'W2', title: 'Profile', tasks: [{ id: '2.1', title: 'B', dependsOn: ['1.1'] }] },
      ],
    });
    expect(parsed.problems).toEqual([]);
    expect(parsed.tasks.map(({ id, phase, phaseName, dependsOn, line }) => ({ id, phase, phaseName, dependsOn, line }))).toEqual([
      { id: '1.1', phase: 'W1', phaseName: 'Foundations', dependsOn: [], line: 7 },
      { id: '2.1', phase: 'W2', phaseName: 'Profile', dependsOn: ['1.1'], line: 18 },
    ]);
  });

  it('orders batches whose tasks state no dependencies by batch order', () => {
    const parsed = parse({
      batches: [
        { id: 1, name: 'Schema', tasks: [{ id: 'T1', title: 'Schema' }] },
        {
          id: 2,
          name: 'Core',
          tasks: [
            { id: 'T2', title: 'Server' },
            { id: 'T3', title: 'Client', dependencies: [] },
          ],
        },
        { id: 3, name: 'Tests', tasks: [{ id: 'T4', title: 'Tests' }] },
      ],
    });
    expect(parsed.tasks.map(({ id, dependsOn }) => [id, dependsOn])).toEqual([
      ['T1', []],
      ['T2', ['T1']],
      ['T3', []],
      ['T4', ['T2', 'T3']],
    ]);
  });

  it('reads a file that is a bare list of tasks', () => {
    const parsed = parse([
      { id: 'fix-1', title: 'Fix one', depends_on: [], status: 'todo' },
      { id: 'fix-2', title: 'Fix two', depends_on: ['fix-1'] },
    ]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tasks.map(({ id, dependsOn, line }) => ({ id, dependsOn, line }))).toEqual([
      { id: 'fix-1', dependsOn: [], line: 2 },
      { id: 'fix-2', dependsOn: ['fix-1'], line: 8 },
    ]);
  });

  it.each(['done', 'completed', 'cancelled'])('marks a task with status %s as closed', (status) => {
    expect(parse({ tasks: [{ id: '1', subject: 'S', status }] }).tasks[0].closed).toBe(status);
  });

  it('keeps large values as a note, not in full', () => {
    const parsed = parse({ tasks: [{ id: '1', subject: 'S', change: { before: 'x'.repeat(5_000) } }] });
    expect(parsed.tasks[0].extra).toEqual({ change: '(5,013 characters: see the spec file)' });
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
      name: 'neither subject, title nor description',
      entry: { id: '2', phase: 1 },
      problems: [
        { code: 'missing-prompt', file: FILE, line: 4, taskId: '2', message: 'task "2" has no "subject", "title" or "description": one of them is its prompt' },
      ],
    },
    {
      name: 'an empty subject',
      entry: { id: '2', subject: '' },
      problems: [
        { code: 'missing-prompt', file: FILE, line: 4, taskId: '2', message: 'task "2" has no "subject", "title" or "description": one of them is its prompt' },
      ],
    },
    {
      name: 'retries: "two"',
      entry: { id: '2', subject: 'S', retries: 'two' },
      problems: [{ code: 'invalid-field', file: FILE, line: 4, taskId: '2', message: 'field "retries" of task "2": expected a number, got "two"' }],
    },
    {
      name: 'a field of ours with a wrong type, among kept ones',
      entry: { id: '2', subject: 'S', issue: 'DOR-2', timeout: 'soon' },
      problems: [
        {
          code: 'invalid-field',
          file: FILE,
          line: 4,
          taskId: '2',
          message: 'field "timeout" of task "2": "soon" is not a duration: write e.g. 90s, 15m, 1h30m or a number of seconds',
        },
      ],
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
