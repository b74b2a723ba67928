import { isSpecFile, parseSpecFile, SPEC_FILE_PATTERNS } from './parse-spec-file';

describe('isSpecFile', () => {
  it.each<{ file: string; expected: boolean }>([
    { file: 'apps/api/write-api.agent.md', expected: true },
    { file: 'write-api.agent.md', expected: true },
    { file: 'libs/auth/agent-tasks.json', expected: true },
    { file: 'libs/auth/agent-tasks.yaml', expected: true },
    { file: 'libs/auth/agent-tasks.yml', expected: true },
    { file: 'specs/auth/03-tasks.json', expected: true },
    { file: 'README.md', expected: false },
    { file: 'apps/api/agent.md', expected: false },
    { file: 'apps/api/write-api.agent.md.bak', expected: false },
    { file: 'libs/auth/my-agent-tasks.json', expected: false },
    { file: 'libs/auth/agent-tasks.toml', expected: false },
    { file: 'specs/auth/103-tasks.json', expected: false },
    { file: 'specs/auth/03-tasks.yaml', expected: false },
    { file: 'agent-tasks.json/README.md', expected: false },
  ])('$file -> $expected', ({ file, expected }) => {
    expect(isSpecFile(file)).toBe(expected);
  });

  it('has one pattern per format', () => {
    expect(Object.keys(SPEC_FILE_PATTERNS).sort()).toEqual(['agentMarkdown', 'decomposition', 'taskList']);
  });
});

describe('parseSpecFile', () => {
  it.each<{ file: string; content: string; format: string; ids: string[] }>([
    { file: 'apps/api/write-api.agent.md', content: 'Write it', format: 'agent-md', ids: ['write-api'] },
    { file: 'libs/auth/agent-tasks.yml', content: 'tasks:\n  - { id: login, prompt: P }', format: 'task-list', ids: ['login'] },
    { file: 'specs/auth/03-tasks.json', content: '{ "tasks": [ { "id": "1.1", "subject": "S" } ] }', format: 'decomposition', ids: ['1.1'] },
  ])('reads $file as $format', ({ file, content, format, ids }) => {
    const parsed = parseSpecFile(file, content);
    expect(parsed.problems).toEqual([]);
    expect(parsed.format).toBe(format);
    expect(parsed.tasks.map((task) => [task.id, task.format, task.file])).toEqual(ids.map((id) => [id, format, file]));
  });

  it('reports a file that is not a spec', () => {
    expect(parseSpecFile('docs/notes.md', 'text')).toEqual({
      file: 'docs/notes.md',
      format: 'agent-md',
      tasks: [],
      problems: [
        {
          code: 'syntax',
          file: 'docs/notes.md',
          message:
            'not a spec file: name it *.agent.md, agent-tasks.{json,yaml,yml}, 03-tasks.json, tasks/tasks.json (task-master) or specs/<feature>/tasks.md (spec-kit)',
        },
      ],
    });
  });
});
