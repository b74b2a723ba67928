import { parseAgentMarkdown } from './parse-agent-markdown';
import { parseSpecFile } from './parse-spec-file';
import type { TaskSpec } from './schema';
import type { SpecProblem } from './spec-error';

/** A file's text from its lines, so each row shows the line numbers it asserts. */
const lines = (...text: string[]) => text.join('\n');

const FILE = 'apps/api/tasks/write-api.agent.md';

/** The defaults the contract promises for a task that sets nothing. */
const defaults: Omit<TaskSpec, 'id' | 'prompt'> = {
  dependsOn: [],
  after: [],
  inputs: [],
  outputs: [],
  writes: [],
  retries: 2,
  cache: true,
  file: FILE,
  line: 1,
  format: 'agent-md',
};

interface ValidRow {
  name: string;
  file?: string;
  content: string;
  expected: TaskSpec;
}

interface ProblemRow {
  name: string;
  file?: string;
  content: string;
  expected: SpecProblem;
}

const ID_RULE = 'use letters, digits, ".", "_" and "-", starting with a letter or digit';

describe('parseAgentMarkdown: valid files', () => {
  const rows: ValidRow[] = [
    {
      name: 'every field of the contract',
      content: lines(
        '---',
        'id: write-api-v2',
        'description: Implement the REST endpoints',
        'agent: implementer',
        'model: sonnet',
        'dependsOn: [design-api, shared:schema]',
        'after: [build]',
        'inputs: ["{projectRoot}/docs/api.md"]',
        'outputs: ["{projectRoot}/src/api/**"]',
        'writes: ["{projectRoot}/src/**"]',
        'retries: 2',
        'timeout: 15m',
        'cache: false',
        'script:',
        '  duration: 90s',
        '  summary: Endpoints written',
        '  files: { "src/api/index.ts": "export {};" }',
        '  failAttempts: 1',
        '---',
        'The prompt, in **markdown**.',
        '',
        'Second paragraph.',
        '',
      ),
      expected: {
        ...defaults,
        id: 'write-api-v2',
        description: 'Implement the REST endpoints',
        prompt: 'The prompt, in **markdown**.\n\nSecond paragraph.',
        agent: 'implementer',
        model: 'sonnet',
        dependsOn: ['design-api', 'shared:schema'],
        after: ['build'],
        inputs: ['{projectRoot}/docs/api.md'],
        outputs: ['{projectRoot}/src/api/**'],
        writes: ['{projectRoot}/src/**'],
        retries: 2,
        timeoutMs: 900_000,
        cache: false,
        script: { duration: 90_000, summary: 'Endpoints written', files: { 'src/api/index.ts': 'export {};' }, failAttempts: 1 },
      },
    },
    {
      name: 'no frontmatter: the whole file is the prompt, the id is the file name',
      content: '# Write the API\n\nUse REST.\n',
      expected: { ...defaults, id: 'write-api', prompt: '# Write the API\n\nUse REST.' },
    },
    {
      name: 'a "---" later in the file is not a frontmatter',
      content: 'Intro\n---\nmore',
      expected: { ...defaults, id: 'write-api', prompt: 'Intro\n---\nmore' },
    },
    { name: 'empty frontmatter', content: lines('---', '---', 'Prompt'), expected: { ...defaults, id: 'write-api', prompt: 'Prompt' } },
    {
      name: 'blockedBy is an alias of dependsOn; a single string is a list of one',
      content: lines('---', 'blockedBy: design-api', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', dependsOn: ['design-api'] },
    },
    {
      name: 'dependencies is an alias of dependsOn; repeats are dropped',
      content: lines('---', 'dependencies: [a, b, a]', 'after: [build, build]', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', dependsOn: ['a', 'b'], after: ['build'] },
    },
    {
      name: 'writes defaults to outputs',
      content: lines('---', 'outputs: dist/api', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', outputs: ['dist/api'], writes: ['dist/api'] },
    },
    {
      name: 'an explicit empty writes stays empty',
      content: lines('---', 'outputs: [dist]', 'writes: []', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', outputs: ['dist'], writes: [] },
    },
    { name: 'a numeric id becomes a string', content: lines('---', 'id: 12', '---', 'P'), expected: { ...defaults, id: '12', prompt: 'P' } },
    {
      name: 'a bare number of seconds is a timeout',
      content: lines('---', 'timeout: 90', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', timeoutMs: 90_000 },
    },
    {
      name: 'timeout 1h30m',
      content: lines('---', 'timeout: 1h30m', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', timeoutMs: 5_400_000 },
    },
    {
      name: 'CRLF line endings and a byte order mark',
      content: '\uFEFF---\r\nagent: implementer\r\n---\r\nPrompt\r\n',
      expected: { ...defaults, id: 'write-api', prompt: 'Prompt', agent: 'implementer' },
    },
    {
      name: 'numeric dependency ids become strings',
      content: lines('---', 'dependsOn: [1.5, setup]', '---', 'P'),
      expected: { ...defaults, id: 'write-api', prompt: 'P', dependsOn: ['1.5', 'setup'] },
    },
  ];
  it.each(rows)('$name', ({ file, content, expected }) => {
    expect(parseAgentMarkdown(file ?? FILE, content)).toEqual({ file: file ?? FILE, format: 'agent-md', tasks: [expected], problems: [] });
  });
});

describe('parseAgentMarkdown: problems', () => {
  const rows: ProblemRow[] = [
    {
      name: 'unclosed frontmatter',
      content: lines('---', 'agent: implementer', 'The prompt'),
      expected: {
        code: 'syntax',
        file: FILE,
        line: 1,
        message: 'the frontmatter opened with "---" on line 1 is never closed: end it with a line "---" before the prompt',
      },
    },
    {
      name: 'invalid YAML, on its line in the file',
      content: lines('---', 'agent: implementer', 'dependsOn: [a, b', '---', 'P'),
      expected: {
        code: 'syntax',
        file: FILE,
        line: 3,
        message: 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    },
    {
      name: 'a repeated key',
      content: lines('---', 'agent: a', 'agent: b', '---', 'P'),
      expected: { code: 'syntax', file: FILE, line: 3, message: 'invalid YAML: Map keys must be unique' },
    },
    {
      name: 'an alias whose anchor is missing',
      content: lines('---', 'agent: a', 'model: *missing', '---', 'P'),
      expected: { code: 'syntax', file: FILE, line: 3, message: 'invalid YAML: Unresolved alias (the anchor must be set before the alias): missing' },
    },
    {
      name: 'dependson',
      content: lines('---', 'agent: a', 'dependson: [b]', '---', 'P'),
      expected: {
        code: 'unknown-field',
        file: FILE,
        line: 3,
        taskId: 'write-api',
        message: 'unknown field "dependson" in task "write-api". Did you mean "dependsOn"?',
      },
    },
    {
      name: 'blockedby',
      content: lines('---', 'blockedby: b', '---', 'P'),
      expected: {
        code: 'unknown-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'unknown field "blockedby" in task "write-api". Did you mean "blockedBy"?',
      },
    },
    {
      name: 'timout',
      content: lines('---', 'id: api', '', 'timout: 5m', '---', 'P'),
      expected: { code: 'unknown-field', file: FILE, line: 4, taskId: 'api', message: 'unknown field "timout" in task "api". Did you mean "timeout"?' },
    },
    {
      name: 'an unknown field inside script',
      content: lines('---', 'script:', '  duration: 1s', '  sumary: done', '---', 'P'),
      expected: {
        code: 'unknown-field',
        file: FILE,
        line: 4,
        taskId: 'write-api',
        message: 'unknown field "sumary" in "script" of task "write-api". Did you mean "summary"?',
      },
    },
    {
      name: 'an unknown field like nothing known lists the known fields',
      content: lines('---', 'colour: red', '---', 'P'),
      expected: {
        code: 'unknown-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message:
          'unknown field "colour" in task "write-api". Known fields: id, description, agent, model, dependsOn, blockedBy, dependencies, after, inputs, outputs, writes, retries, timeout, cache, maxCost, maxTokens, script, verify, verifyAttempts, isolation, writeViolations, forEach, produces.',
      },
    },
    {
      name: 'retries: two',
      content: lines('---', 'retries: two', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "retries" of task "write-api": expected a number, got "two"',
      },
    },
    {
      name: 'retries: 1.5',
      content: lines('---', 'retries: 1.5', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "retries" of task "write-api": expected a whole number, got 1.5',
      },
    },
    {
      name: 'retries: 11',
      content: lines('---', 'retries: 11', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "retries" of task "write-api": expected at most 10, got 11',
      },
    },
    {
      name: 'timeout: soon',
      content: lines('---', 'timeout: soon', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "timeout" of task "write-api": "soon" is not a duration: write e.g. 90s, 15m, 1h30m or a number of seconds',
      },
    },
    {
      name: 'cache: "yes"',
      content: lines('---', 'cache: "yes"', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "cache" of task "write-api": expected true or false, got "yes"',
      },
    },
    {
      name: 'agent: ""',
      content: lines('---', 'agent: ""', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "agent" of task "write-api": expected a non-empty string, got ""',
      },
    },
    {
      name: 'dependsOn: a mapping',
      content: lines('---', 'dependsOn: { a: 1 }', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "dependsOn" of task "write-api": expected a string or a list of strings, got {"a":1}',
      },
    },
    {
      name: 'id: true',
      content: lines('---', 'id: true', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 2,
        taskId: 'write-api',
        message: 'field "id" of task "write-api": expected a string or a number, got true',
      },
    },
    {
      name: 'two dependency aliases',
      content: lines('---', 'dependsOn: [a]', 'blockedBy: [b]', '---', 'P'),
      expected: {
        code: 'invalid-field',
        file: FILE,
        line: 3,
        taskId: 'write-api',
        message: 'task "write-api" lists dependencies in both "dependsOn" and "blockedBy": use one (blockedBy and dependencies are aliases of dependsOn)',
      },
    },
    {
      name: 'a frontmatter that is a list',
      content: lines('---', '- a', '- b', '---', 'P'),
      expected: { code: 'invalid-field', file: FILE, line: 2, taskId: 'write-api', message: 'the frontmatter must be a mapping of fields, not a list' },
    },
    {
      name: 'a frontmatter that is a string',
      content: lines('---', 'just text', '---', 'P'),
      expected: { code: 'invalid-field', file: FILE, line: 2, taskId: 'write-api', message: 'the frontmatter must be a mapping of fields, not a string' },
    },
    {
      name: 'empty body',
      content: lines('---', 'agent: a', '---', ''),
      expected: {
        code: 'missing-prompt',
        file: FILE,
        line: 4,
        taskId: 'write-api',
        message: 'task "write-api" has no prompt: write it in markdown below the frontmatter',
      },
    },
    {
      name: 'blank body after an empty frontmatter',
      content: lines('---', '---', '', '  '),
      expected: {
        code: 'missing-prompt',
        file: FILE,
        line: 3,
        taskId: 'write-api',
        message: 'task "write-api" has no prompt: write it in markdown below the frontmatter',
      },
    },
    {
      name: 'an empty file',
      content: '',
      expected: {
        code: 'missing-prompt',
        file: FILE,
        line: 1,
        taskId: 'write-api',
        message: 'task "write-api" has no prompt: write it in markdown in this file',
      },
    },
    ...[
      ['a:b', 2],
      ['has space', 2],
      ['-lead', 2],
      ['x/y', 2],
    ].map(([id, line]) => ({
      name: `invalid id ${String(id)}`,
      content: lines('---', `id: "${String(id)}"`, '---', 'P'),
      expected: { code: 'invalid-id' as const, file: FILE, line: Number(line), message: `task id "${String(id)}" is not a valid target name: ${ID_RULE}` },
    })),
    {
      name: 'an invalid id from the file name',
      file: 'tasks/write api.agent.md',
      content: 'P',
      expected: {
        code: 'invalid-id',
        file: 'tasks/write api.agent.md',
        message: `task id "write api" is not a valid target name: ${ID_RULE} (it comes from the file name: rename the file or set "id" in the frontmatter)`,
      },
    },
  ];
  it.each(rows)('$name', ({ file, content, expected }) => {
    expect(parseAgentMarkdown(file ?? FILE, content)).toEqual({ file: file ?? FILE, format: 'agent-md', tasks: [], problems: [expected] });
  });

  it('reports every bad field of a frontmatter, in line order', () => {
    const content = lines('---', 'timeout: soon', 'retries: two', 'dependson: [a]', '---', 'P');
    expect(parseAgentMarkdown(FILE, content).problems.map((problem) => [problem.code, problem.line])).toEqual([
      ['invalid-field', 2],
      ['invalid-field', 3],
      ['unknown-field', 4],
    ]);
  });

  it('is what parseSpecFile does for *.agent.md', () => {
    expect(parseSpecFile(FILE, 'P')).toEqual(parseAgentMarkdown(FILE, 'P'));
    expect(parseSpecFile(FILE, 'P').tasks.map((task) => task.id)).toEqual(['write-api']);
  });
});
