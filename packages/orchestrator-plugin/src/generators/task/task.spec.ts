import { addProjectConfiguration, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parseAgentMarkdown } from '../../task-spec/parse-agent-markdown';
import type { TaskSpec } from '../../task-spec/schema';
import { parseDependsOn, taskGenerator } from './task';

/** The spec the parser must produce for a generated file: every field, so nothing extra slips in. */
function expectedTask(fields: Partial<TaskSpec> & Pick<TaskSpec, 'id' | 'file' | 'prompt'>): TaskSpec {
  return {
    description: undefined,
    agent: undefined,
    model: undefined,
    dependsOn: [],
    after: [],
    inputs: [],
    outputs: [],
    writes: [],
    retries: 2,
    timeoutMs: undefined,
    cache: true,
    script: undefined,
    line: 1,
    format: 'agent-md',
    ...fields,
  };
}

function parse(tree: Tree, file: string) {
  const content = tree.read(file, 'utf-8');
  if (content === null) throw new Error(`${file} was not written`);
  return parseAgentMarkdown(file, content);
}

describe('task generator', () => {
  let tree: Tree;

  beforeEach(() => {
    // No formatter: Nx 24 defaults to oxfmt, which is not installed, and the assertions are about exact content.
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    addProjectConfiguration(tree, 'api', { root: 'apps/api' });
    addProjectConfiguration(tree, 'shared', { root: 'libs/shared' });
  });

  it('writes exactly the fields given, and the file parses into the expected task', () => {
    taskGenerator(tree, {
      name: 'write-api',
      directory: 'apps/api/tasks',
      description: 'Implement the REST endpoints: GET and POST',
      agent: 'implementer',
      dependsOn: 'design-api, shared:schema',
      prompt: 'Implement the endpoints described in docs/api.md.',
    });

    const file = 'apps/api/tasks/write-api.agent.md';
    expect(tree.read(file, 'utf-8')).toMatchInlineSnapshot(`
"---
description: "Implement the REST endpoints: GET and POST"
agent: implementer
dependsOn: [design-api, shared:schema]
---

Implement the endpoints described in docs/api.md.
"
`);
    expect(parse(tree, file)).toStrictEqual({
      file,
      format: 'agent-md',
      problems: [],
      tasks: [
        expectedTask({
          id: 'write-api',
          file,
          description: 'Implement the REST endpoints: GET and POST',
          agent: 'implementer',
          dependsOn: ['design-api', 'shared:schema'],
          prompt: 'Implement the endpoints described in docs/api.md.',
        }),
      ],
    });
  });

  it("puts the file in the project's agent-tasks folder, with a TODO prompt and no frontmatter when no field is given", () => {
    taskGenerator(tree, { name: 'review', project: 'api' });

    const file = 'apps/api/agent-tasks/review.agent.md';
    expect(tree.read(file, 'utf-8')).toMatchInlineSnapshot(`
"TODO: write the prompt for task "review" here, in markdown, as you would brief a colleague:

- the goal, and why it matters;
- the files to read first and the files to change;
- how to tell the work is done (commands to run, checks to pass).

The agent starts with no other context: it sees this prompt, the inputs declared in the
frontmatter, and the final summaries of the tasks in dependsOn.
"
`);
    const parsed = parse(tree, file);
    expect(parsed.problems).toEqual([]);
    expect(parsed.tasks).toStrictEqual([expectedTask({ id: 'review', file, prompt: (tree.read(file, 'utf-8') ?? '').trim() })]);
  });

  it('accepts a directory inside the given project', () => {
    taskGenerator(tree, { name: '1.3', project: 'api', directory: './apps/api/docs/', agent: 'scripted' });

    const file = 'apps/api/docs/1.3.agent.md';
    expect(parse(tree, file).tasks).toStrictEqual([expectedTask({ id: '1.3', file, agent: 'scripted', prompt: expect.stringContaining('TODO') })]);
  });

  it('rejects a directory that belongs to another project', () => {
    expect(() => taskGenerator(tree, { name: 'x', project: 'api', directory: 'libs/shared/tasks' })).toThrow(
      '--directory "libs/shared/tasks" belongs to project "shared", not to "api" (root "apps/api")',
    );
    expect(() => taskGenerator(tree, { name: 'x', project: 'api', directory: 'docs' })).toThrow('--directory "docs" is outside every project');
  });

  it('refuses to overwrite an existing file, naming it', () => {
    tree.write('apps/api/agent-tasks/review.agent.md', 'My own prompt.\n');

    expect(() => taskGenerator(tree, { name: 'review', project: 'api' })).toThrow(
      'apps/api/agent-tasks/review.agent.md already exists: the task generator never overwrites a spec',
    );
    expect(tree.read('apps/api/agent-tasks/review.agent.md', 'utf-8')).toBe('My own prompt.\n');
  });

  it.each(['write api', '-draft', 'a:b', ''])('rejects the invalid name %j, naming the rule', (name) => {
    expect(() => taskGenerator(tree, { name, project: 'api' })).toThrow(
      `--name "${name}" is not a valid task id: use letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  });

  it('names the closest project when the project is unknown', () => {
    expect(() => taskGenerator(tree, { name: 'review', project: 'apii' })).toThrow('project "apii" not found. Did you mean "api"?');
    expect(() => taskGenerator(tree, { name: 'review', project: 'frontend' })).toThrow('project "frontend" not found. Projects: api, shared.');
  });

  it('needs a project or a directory, and keeps directories inside the workspace', () => {
    expect(() => taskGenerator(tree, { name: 'review' })).toThrow('say where the task goes: --project <name>');
    expect(() => taskGenerator(tree, { name: 'review', directory: '../elsewhere' })).toThrow('is outside the workspace');
    expect(() => taskGenerator(tree, { name: 'review', directory: '/tmp' })).toThrow('is absolute');
  });

  it('rejects an empty prompt instead of writing a spec that would not load', () => {
    expect(() => taskGenerator(tree, { name: 'review', project: 'api', prompt: '  \n' })).toThrow('--prompt is empty');
  });

  it('gives a prompt that opens with "---" an empty frontmatter, so it is not read as one', () => {
    taskGenerator(tree, { name: 'rule', directory: 'apps/api', prompt: '---\nA horizontal rule first.' });

    const file = 'apps/api/rule.agent.md';
    expect(tree.read(file, 'utf-8')).toBe('---\n---\n\n---\nA horizontal rule first.\n');
    expect(parse(tree, file).tasks).toStrictEqual([expectedTask({ id: 'rule', file, prompt: '---\nA horizontal rule first.' })]);
  });
});

describe('parseDependsOn', () => {
  it.each<[string | string[] | undefined, string[]]>([
    [undefined, []],
    ['', []],
    ['design', ['design']],
    ['design,shared:schema', ['design', 'shared:schema']],
    [' design , , shared:schema ,', ['design', 'shared:schema']],
    [
      ['design', 'shared:schema'],
      ['design', 'shared:schema'],
    ],
    [
      ['design,1.0', 'shared:schema'],
      ['design', '1.0', 'shared:schema'],
    ],
    ['design,design,shared:schema,design', ['design', 'shared:schema']],
    ['@scope/ui:build-docs', ['@scope/ui:build-docs']],
  ])('%j -> %j', (value, expected) => {
    expect(parseDependsOn(value, 'write-api', 'api')).toEqual(expected);
  });

  it.each([
    ['has space', '--dependsOn entry "has space" is not "task" or "project:task"'],
    [':schema', '--dependsOn entry ":schema" is not "task" or "project:task"'],
    ['shared:', '--dependsOn entry "shared:" is not "task" or "project:task"'],
    ['write-api', '--dependsOn "write-api" is the task itself'],
    ['api:write-api', '--dependsOn "api:write-api" is the task itself'],
  ])('rejects %j', (value, message) => {
    expect(() => parseDependsOn(value, 'write-api', 'api')).toThrow(message);
  });

  it('turns a comma list from the command line into a YAML list that parses back in order', () => {
    const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    taskGenerator(tree, { name: 'deploy', directory: 'ops', dependsOn: 'build-image,infra:plan,build-image' });

    const file = 'ops/deploy.agent.md';
    expect(tree.read(file, 'utf-8')).toContain('dependsOn: [build-image, infra:plan]\n');
    expect(parse(tree, file).tasks.map((task) => task.dependsOn)).toEqual([['build-image', 'infra:plan']]);
  });
});
