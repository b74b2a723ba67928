import { parseSpecFile } from './parse-spec-file';
import { parseTaskList } from './parse-task-list';
import type { TaskSpec } from './schema';
import type { SpecProblem } from './spec-error';

/** A file's text from its lines, so each row shows the line numbers it asserts. */
const lines = (...text: string[]) => text.join('\n');

const JSON_FILE = 'libs/auth/agent-tasks.json';
const YAML_FILE = 'libs/auth/agent-tasks.yaml';
const YML_FILE = 'libs/auth/agent-tasks.yml';

/** The defaults the contract promises for an entry that sets nothing but id and prompt. */
function task(file: string, line: number, fields: Partial<TaskSpec> & Pick<TaskSpec, 'id' | 'prompt'>): TaskSpec {
  return { dependsOn: [], after: [], inputs: [], outputs: [], writes: [], retries: 2, cache: true, file, line, format: 'task-list', ...fields };
}

const ID_RULE = 'use letters, digits, ".", "_" and "-", starting with a letter or digit';

interface Row {
  name: string;
  file: string;
  content: string;
  expected: { tasks: TaskSpec[]; problems: SpecProblem[] };
}

const valid: Row[] = [
  {
    name: 'JSON with every field, aliases and defaults',
    file: JSON_FILE,
    content: lines(
      '{',
      '  "tasks": [',
      '    { "id": "design", "prompt": "  Design the API  ", "description": "Design", "agent": "architect", "model": "opus",',
      '      "outputs": ["{projectRoot}/docs/api.md"], "timeout": "90s", "retries": 3 },',
      '    {',
      '      "id": 7, "prompt": "Implement", "blockedBy": "design", "after": "build", "inputs": "docs/*.md",',
      '      "outputs": ["src/**"], "writes": ["src/api/**"], "cache": false, "timeout": 30,',
      '      "script": { "duration": "500ms", "fail": "boom" }',
      '    },',
      '    { "id": "review", "prompt": "Review", "dependencies": [7, "design", "design"] }',
      '  ]',
      '}',
    ),
    expected: {
      problems: [],
      tasks: [
        task(JSON_FILE, 3, {
          id: 'design',
          prompt: 'Design the API',
          description: 'Design',
          agent: 'architect',
          model: 'opus',
          outputs: ['{projectRoot}/docs/api.md'],
          writes: ['{projectRoot}/docs/api.md'],
          timeoutMs: 90_000,
          retries: 3,
        }),
        task(JSON_FILE, 5, {
          id: '7',
          prompt: 'Implement',
          dependsOn: ['design'],
          after: ['build'],
          inputs: ['docs/*.md'],
          outputs: ['src/**'],
          writes: ['src/api/**'],
          cache: false,
          timeoutMs: 30_000,
          script: { duration: 500, fail: 'boom' },
        }),
        task(JSON_FILE, 10, { id: 'review', prompt: 'Review', dependsOn: ['7', 'design'] }),
      ],
    },
  },
  {
    name: 'YAML with a block prompt',
    file: YAML_FILE,
    content: lines(
      'tasks:',
      '  - id: schema',
      '    prompt: |',
      '      Write the schema.',
      '      Keep it small.',
      '    timeout: 1h30m',
      '  - id: api',
      '    prompt: Build the API',
      '    dependsOn: schema',
    ),
    expected: {
      problems: [],
      tasks: [
        task(YAML_FILE, 2, { id: 'schema', prompt: 'Write the schema.\nKeep it small.', timeoutMs: 5_400_000 }),
        task(YAML_FILE, 7, { id: 'api', prompt: 'Build the API', dependsOn: ['schema'] }),
      ],
    },
  },
  {
    name: '.yml is YAML too',
    file: YML_FILE,
    content: lines('tasks:', '- id: one', '  prompt: P'),
    expected: { problems: [], tasks: [task(YML_FILE, 2, { id: 'one', prompt: 'P' })] },
  },
  { name: 'an empty task list', file: JSON_FILE, content: '{ "tasks": [] }', expected: { problems: [], tasks: [] } },
  {
    name: 'a byte order mark',
    file: JSON_FILE,
    content: '\uFEFF{ "tasks": [ { "id": "a", "prompt": "P" } ] }',
    expected: { problems: [], tasks: [task(JSON_FILE, 1, { id: 'a', prompt: 'P' })] },
  },
];

const invalid: Row[] = [
  ...[
    ['a trailing comma', '{\n  "tasks": [\n    { "id": "a", "prompt": "A" },\n  ]\n}', 4, 'trailing comma before "]": remove the comma after the last item'],
    ['a missing comma', '{\n  "tasks": [\n    { "id": "a" "prompt": "A" }\n  ]\n}', 3, 'expected "," or "}" after a property value, found `"prompt"`'],
    ['a bare word', '{\n  "tasks": [\n    { "id": "a", "cache": tru }\n  ]\n}', 3, 'expected a value, found `tru`'],
    ['single quotes', "{\n  'tasks': []\n}", 2, "expected a property name in double quotes, found `'tasks'`"],
    ['a missing colon', '{\n  "tasks" []\n}', 2, 'expected ":" after the property name, found `[`'],
    ['an unclosed list', '{\n  "tasks": [\n', 3, 'unexpected end of file: a value is missing'],
    ['a line break in a string', '{\n  "tasks": [\n    { "id": "a", "prompt": "unclosed }\n  ]\n}', 3, 'line break inside a string: write \\n instead'],
    ['an unterminated string', '{\n  "tasks": [],\n  "x": "abc', 3, 'unterminated string: a closing " is missing'],
    ['text after the value', '{ "tasks": [] }\n}', 2, 'unexpected `}` after the end of the JSON value'],
    ['an empty file', '', 1, 'the file is empty: it must hold a JSON object'],
  ].map(([name, content, line, reason]) => ({
    name: `invalid JSON: ${String(name)}`,
    file: JSON_FILE,
    content: String(content),
    expected: { tasks: [], problems: [{ code: 'syntax' as const, file: JSON_FILE, line: Number(line), message: `invalid JSON: ${String(reason)}` }] },
  })),
  {
    name: 'invalid YAML',
    file: YAML_FILE,
    content: lines('tasks:', '  - id: a', '    prompt: P', '   agent: x'),
    expected: { tasks: [], problems: [{ code: 'syntax', file: YAML_FILE, line: 4, message: 'invalid YAML: Sequence item without - indicator' }] },
  },
  {
    name: 'two YAML documents',
    file: YAML_FILE,
    content: lines('tasks: []', '---', 'tasks: []'),
    expected: {
      tasks: [],
      problems: [
        {
          code: 'syntax',
          file: YAML_FILE,
          line: 2,
          message: 'invalid YAML: the file holds more than one YAML document: remove the "---" line that starts the second',
        },
      ],
    },
  },
  {
    name: 'a root that is a list',
    file: JSON_FILE,
    content: '[\n  { "id": "a" }\n]',
    expected: {
      tasks: [],
      problems: [{ code: 'invalid-field', file: JSON_FILE, line: 1, message: 'the file must be a mapping with a "tasks" list, not a list' }],
    },
  },
  {
    name: 'an empty YAML file',
    file: YAML_FILE,
    content: '',
    expected: { tasks: [], problems: [{ code: 'invalid-field', file: YAML_FILE, message: 'the file must be a mapping with a "tasks" list, not empty' }] },
  },
  {
    name: 'no tasks field',
    file: YAML_FILE,
    content: 'slug: auth\n',
    expected: {
      tasks: [],
      problems: [
        { code: 'invalid-field', file: YAML_FILE, line: 1, message: 'the file has no "tasks" field: it must be a list' },
        { code: 'unknown-field', file: YAML_FILE, line: 1, message: 'unknown field "slug" in the file. Known fields: tasks.' },
      ],
    },
  },
  {
    name: 'tasks misspelled',
    file: JSON_FILE,
    content: '{\n  "task": []\n}',
    expected: {
      tasks: [],
      problems: [
        { code: 'invalid-field', file: JSON_FILE, line: 1, message: 'the file has no "tasks" field: it must be a list' },
        { code: 'unknown-field', file: JSON_FILE, line: 2, message: 'unknown field "task" in the file. Did you mean "tasks"?' },
      ],
    },
  },
  {
    name: 'tasks that is not a list',
    file: YAML_FILE,
    content: lines('tasks:', '  id: a'),
    expected: {
      tasks: [],
      problems: [{ code: 'invalid-field', file: YAML_FILE, line: 1, message: 'field "tasks" of the file: expected a list, got {"id":"a"}' }],
    },
  },
];

describe('parseTaskList: whole files', () => {
  it.each([...valid, ...invalid])('$name', ({ file, content, expected }) => {
    expect(parseTaskList(file, content)).toEqual({ file, format: 'task-list', ...expected });
  });
});

describe('parseTaskList: one bad entry does not hide the valid ones beside it', () => {
  const good = (line: number, id: string) => task(YAML_FILE, line, { id, prompt: `Do ${id}` });
  const rows: Array<{ name: string; entry: string[]; problems: (line: number) => SpecProblem[] }> = [
    {
      name: 'an entry that is a string',
      entry: ['  - just a string'],
      problems: (line) => [{ code: 'invalid-field', file: YAML_FILE, line, message: 'task #2 must be a mapping of task fields, not a string' }],
    },
    {
      name: 'an entry that is null',
      entry: ['  - null'],
      problems: (line) => [{ code: 'invalid-field', file: YAML_FILE, line, message: 'task #2 must be a mapping of task fields, not empty' }],
    },
    {
      name: 'an entry that is a list',
      entry: ['  - [a, b]'],
      problems: (line) => [{ code: 'invalid-field', file: YAML_FILE, line, message: 'task #2 must be a mapping of task fields, not a list' }],
    },
    {
      name: 'an entry without id',
      entry: ['  - prompt: orphan'],
      problems: (line) => [{ code: 'invalid-id', file: YAML_FILE, line, message: 'task #2 has no "id": every task in this file needs one' }],
    },
    {
      name: 'an id that is not a string',
      entry: ['  - prompt: P', '    id: [x]'],
      problems: (line) => [
        { code: 'invalid-id', file: YAML_FILE, line: line + 1, message: 'task #2 has an "id" that is a list: write a string such as "write-api"' },
      ],
    },
    ...['a:b', 'has space', '-lead', 'x/y'].map((id) => ({
      name: `the invalid id ${id}`,
      entry: ['  - prompt: P', `    id: "${id}"`],
      problems: (line: number): SpecProblem[] => [
        { code: 'invalid-id', file: YAML_FILE, line: line + 1, message: `task id "${id}" is not a valid target name: ${ID_RULE}` },
      ],
    })),
    {
      name: 'an entry with no prompt',
      entry: ['  - id: mute'],
      problems: (line) => [{ code: 'missing-prompt', file: YAML_FILE, line, taskId: 'mute', message: 'task "mute" has no prompt: add a "prompt" field' }],
    },
    {
      name: 'an entry with a blank prompt',
      entry: ['  - id: mute', '    prompt: "  "'],
      problems: (line) => [{ code: 'missing-prompt', file: YAML_FILE, line, taskId: 'mute', message: 'task "mute" has no prompt: add a "prompt" field' }],
    },
    {
      name: 'dependson',
      entry: ['  - id: c', '    prompt: P', '    dependson: [a]'],
      problems: (line) => [
        { code: 'unknown-field', file: YAML_FILE, line: line + 2, taskId: 'c', message: 'unknown field "dependson" in task "c". Did you mean "dependsOn"?' },
      ],
    },
    {
      name: 'an unknown field in script',
      entry: ['  - id: c', '    prompt: P', '    script:', '      filez: {}'],
      problems: (line) => [
        {
          code: 'unknown-field',
          file: YAML_FILE,
          line: line + 3,
          taskId: 'c',
          message: 'unknown field "filez" in "script" of task "c". Did you mean "files"?',
        },
      ],
    },
    {
      name: 'wrong types, in line order',
      entry: ['  - id: c', '    prompt: P', '    timeout: soon', '    retries: "two"'],
      problems: (line) => [
        {
          code: 'invalid-field',
          file: YAML_FILE,
          line: line + 2,
          taskId: 'c',
          message: 'field "timeout" of task "c": "soon" is not a duration: write e.g. 90s, 15m, 1h30m or a number of seconds',
        },
        { code: 'invalid-field', file: YAML_FILE, line: line + 3, taskId: 'c', message: 'field "retries" of task "c": expected a number, got "two"' },
      ],
    },
    {
      name: 'a wrong type inside script',
      entry: ['  - id: c', '    prompt: P', '    script:', '      failAttempts: -1'],
      problems: (line) => [
        {
          code: 'invalid-field',
          file: YAML_FILE,
          line: line + 3,
          taskId: 'c',
          message: 'field "script.failAttempts" of task "c": expected at least 0, got -1',
        },
      ],
    },
    {
      name: 'two dependency aliases',
      entry: ['  - id: c', '    prompt: P', '    dependsOn: [a]', '    dependencies: [b]'],
      problems: (line) => [
        {
          code: 'invalid-field',
          file: YAML_FILE,
          line: line + 3,
          taskId: 'c',
          message: 'task "c" lists dependencies in both "dependsOn" and "dependencies": use one (blockedBy and dependencies are aliases of dependsOn)',
        },
      ],
    },
  ];

  it.each(rows)('$name', ({ entry, problems }) => {
    const content = lines('tasks:', '  - id: a', '    prompt: Do a', ...entry, '  - id: b', '    prompt: Do b');
    // The bad entry starts on line 4; the last good one follows it.
    expect(parseTaskList(YAML_FILE, content)).toEqual({
      file: YAML_FILE,
      format: 'task-list',
      tasks: [good(2, 'a'), good(4 + entry.length, 'b')],
      problems: problems(4),
    });
  });
});

it('returns both tasks of a repeated id: the graph layer reports duplicates with every place', () => {
  const content = lines('tasks:', '  - id: a', '    prompt: first', '  - id: a', '    prompt: second');
  expect(parseTaskList(YAML_FILE, content)).toEqual({
    file: YAML_FILE,
    format: 'task-list',
    problems: [],
    tasks: [task(YAML_FILE, 2, { id: 'a', prompt: 'first' }), task(YAML_FILE, 4, { id: 'a', prompt: 'second' })],
  });
});

describe('parseSpecFile dispatches task lists by name', () => {
  it.each([JSON_FILE, YAML_FILE, YML_FILE])('%s', (file) => {
    const content = file.endsWith('.json') ? '{ "tasks": [ { "id": "a", "prompt": "P" } ] }' : 'tasks:\n  - { id: a, prompt: P }';
    expect(parseSpecFile(file, content)).toEqual({
      file,
      format: 'task-list',
      problems: [],
      tasks: [task(file, file.endsWith('.json') ? 1 : 2, { id: 'a', prompt: 'P' })],
    });
  });

  it('reads a .json task list as strict JSON, not YAML', () => {
    expect(parseSpecFile(JSON_FILE, 'tasks: []').problems).toEqual([
      { code: 'syntax', file: JSON_FILE, line: 1, message: 'invalid JSON: expected a value, found `tasks`' },
    ]);
  });
});
