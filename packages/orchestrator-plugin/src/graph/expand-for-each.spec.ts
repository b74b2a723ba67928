import { parseSpecFile } from '../task-spec/parse-spec-file';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import { buildAgentGraph, type SpecFileInput, type SpecProject } from './agent-graph';
import { expandForEach, forEachFileGlobs, slug, withWorker, type ForEachFacts } from './expand-for-each';
import type { AgentTargetConfiguration } from './targets';

const tools: SpecProject = { root: 'tools/migrate', name: 'migrate', inferred: false };

/** An agent-tasks.yaml in `tools/migrate`, read by the real parser. */
function taskList(yaml: string, owner: SpecProject = tools): SpecFileInput {
  return { parsed: parseSpecFile(`${owner.root}/agent-tasks.yaml`, yaml), project: owner };
}

const FILE_TEMPLATE = `tasks:
  - id: design
    prompt: Design the migration.
    outputs: [design.md]
  - id: port
    prompt: Port {file} ({fileStem}) of {project}.
    forEach: { files: "src/**/*.legacy.ts" }
    dependsOn: [design]
    outputs: ["out/{fileStem}.ts"]
    script: { files: { "out/{fileStem}.ts": "ported {file}" } }
  - id: review
    prompt: Review every port.
    dependsOn: ["port/{each}"]
`;

function facts(files: string[], projects: ForEachFacts['projects'] = []): ForEachFacts {
  return { projects, filesByGlob: new Map([['tools/migrate/src/**/*.legacy.ts', files]]) };
}

function targets(inputs: SpecFileInput[]): Record<string, AgentTargetConfiguration> {
  const graph = buildAgentGraph(inputs, normalizePluginOptions({ defaultAgent: 'scripted' }));
  expect(graph.problems).toEqual([]);
  return Object.assign({}, ...graph.files.map((file) => file.targets));
}

describe('expandForEach over files', () => {
  it('asks the plugin layer for the template glob made workspace-relative', () => {
    expect(forEachFileGlobs([taskList(FILE_TEMPLATE)])).toEqual(['tools/migrate/src/**/*.legacy.ts']);
  });

  it('makes one worker per file, each in a project of its own and keyed on its own file, after the shared task and before the final one', () => {
    const files = ['tools/migrate/src/a.legacy.ts', 'tools/migrate/src/deep/b.legacy.ts'];
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(files));
    expect(expanded.map((input) => [input.project.name, input.parsed.tasks.map((task) => task.id)])).toEqual([
      ['migrate', ['design', 'port--src-a.legacy.ts', 'port--src-deep-b.legacy.ts', 'review']],
    ]);
    const worker = expanded[0].parsed.tasks[2];
    expect(worker.prompt).toBe('Port src/deep/b.legacy.ts (b.legacy) of migrate.');
    expect(worker.inputs).toEqual(['{workspaceRoot}/tools/migrate/src/deep/b.legacy.ts']);
    expect(worker.outputs).toEqual(['{workspaceRoot}/tools/migrate/out/b.legacy.ts']);
    expect(worker.script?.files).toEqual({ '{workspaceRoot}/tools/migrate/out/b.legacy.ts': 'ported src/deep/b.legacy.ts' });
    expect(worker.dependsOn).toEqual(['migrate:design']);
    expect(expanded[0].parsed.tasks[3].dependsOn).toEqual(['port--src-a.legacy.ts', 'port--src-deep-b.legacy.ts']);
    const built = targets(expanded);
    expect(built['agent--review'].dependsOn).toEqual(expect.arrayContaining(['agent--port--src-a.legacy.ts', 'agent--port--src-deep-b.legacy.ts']));
    expect(built['agent--port--src-deep-b.legacy.ts'].options).toMatchObject({
      task: 'port--src-deep-b.legacy.ts',
      template: 'port',
      file: 'src/deep/b.legacy.ts',
    });
  });

  it('fills a worker at run time exactly as createNodes did, from its target options', () => {
    const files = ['tools/migrate/src/deep/b.legacy.ts'];
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(files));
    const inferred = expanded[0].parsed.tasks.find((task) => task.id === 'port--src-deep-b.legacy.ts');
    const atRunTime = withWorker(taskList(FILE_TEMPLATE).parsed, {
      id: 'port--src-deep-b.legacy.ts',
      template: 'port',
      file: 'src/deep/b.legacy.ts',
      project: tools,
    });
    expect(atRunTime.tasks.find((task) => task.id === 'port--src-deep-b.legacy.ts')).toEqual(inferred);
  });

  it('keeps every worker id when a file is added: the new file adds one worker', () => {
    const names = (files: string[]) => expandForEach([taskList(FILE_TEMPLATE)], facts(files))[0].parsed.tasks.map((task) => task.id);
    const before = names(['tools/migrate/src/a.legacy.ts']);
    const after = names(['tools/migrate/src/a.legacy.ts', 'tools/migrate/src/0.legacy.ts']);
    expect(after.filter((name) => !before.includes(name))).toEqual(['port--src-0.legacy.ts']);
  });

  it('slugs any file name to a valid id and reports colliding slugs, giving each a hash', () => {
    expect(slug('src/ünï côde/$weird (1).legacy.ts')).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(slug(`${'x'.repeat(300)}.ts`).length).toBeLessThanOrEqual(80);
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(['tools/migrate/src/a b.legacy.ts', 'tools/migrate/src/a-b.legacy.ts']));
    const workers = expanded[0].parsed.tasks.map((task) => task.id).filter((id) => id.startsWith('port'));
    expect(new Set(workers).size).toBe(2);
    for (const name of workers) expect(name).toMatch(/^port--src-a-b\.legacy\.ts-[0-9a-f]{8}$/);
    expect(expanded[0].parsed.notes?.filter((note) => note.code === 'duplicate-id')).toHaveLength(2);
    targets(expanded);
  });

  it('reports a template that matches nothing, and a final task on a template that does not exist', () => {
    const [input] = expandForEach([taskList(FILE_TEMPLATE.replace('port/{each}', 'nope/{each}'))], facts([]));
    expect(input.parsed.notes?.map((note) => note.message)).toEqual([expect.stringContaining('matches nothing')]);
    expect(input.parsed.problems.map((problem) => problem.code)).toEqual(['unknown-dependency']);
  });
});

describe('expandForEach over projects', () => {
  const PROJECT_TEMPLATE = `tasks:
  - id: design
    prompt: Design.
  - id: upgrade
    prompt: Upgrade {project} at {projectRoot}.
    forEach: { projects: "tag:lib" }
    dependsOn: [design]
    inputs: ["{projectRoot}/src/**"]
    outputs: ["{projectRoot}/UPGRADED.md"]
  - id: report
    prompt: Report.
    dependsOn: ["upgrade/{each}"]
`;
  const projects = [
    { name: 'lib-a', root: 'libs/a', tags: ['lib'] },
    { name: 'lib-b', root: 'libs/b', tags: ['lib', 'ui'] },
    { name: 'app', root: 'apps/app', tags: ['app'] },
  ];

  it("places one worker in each tagged project, depending on the template project's shared task", () => {
    const expanded = expandForEach([taskList(PROJECT_TEMPLATE)], { projects, filesByGlob: new Map() });
    expect(expanded.map((input) => [input.project.root, input.parsed.tasks.map((task) => task.id)])).toEqual([
      ['tools/migrate', ['design', 'report']],
      ['libs/a', ['upgrade']],
      ['libs/b', ['upgrade']],
    ]);
    const worker = expanded[2].parsed.tasks[0];
    expect(worker.prompt).toBe('Upgrade lib-b at libs/b.');
    expect(worker.dependsOn).toEqual(['migrate:design']);
    expect(expanded[0].parsed.tasks[1].dependsOn).toEqual(['lib-a:upgrade', 'lib-b:upgrade']);
    const graph = buildAgentGraph(expanded, normalizePluginOptions({ defaultAgent: 'scripted' }));
    expect(graph.problems).toEqual([]);
    const inB = graph.files.find((file) => file.project.root === 'libs/b')!;
    expect(inB.targets['agent--upgrade'].outputs).toContain('{projectRoot}/UPGRADED.md');
  });

  it('turns a pattern the matcher refuses into a problem of that template, never an exception', () => {
    const huge = PROJECT_TEMPLATE.replace('"tag:lib"', `"${'*'.repeat(70_000)}"`);
    const [input] = expandForEach([taskList(huge)], { projects, filesByGlob: new Map() });
    expect(input.parsed.problems.map((problem) => problem.message)).toEqual([expect.stringContaining('cannot be matched')]);
  });

  it('matches project names by pattern, and refuses {file} in a project template', () => {
    const byName = expandForEach([taskList(PROJECT_TEMPLATE.replace('"tag:lib"', '"lib-*"'))], { projects, filesByGlob: new Map() });
    expect(byName.map((input) => input.project.root)).toEqual(['tools/migrate', 'libs/a', 'libs/b']);
    const misuse = expandForEach([taskList(PROJECT_TEMPLATE.replace('Upgrade {project}', 'Upgrade {file}'))], { projects, filesByGlob: new Map() });
    expect(misuse[0].parsed.problems.map((problem) => problem.message)).toEqual([expect.stringContaining('{file}')]);
  });
});

describe('forEach in the schema', () => {
  it('is strict, with a did-you-mean', () => {
    const parsed = parseSpecFile('a/agent-tasks.yaml', 'tasks:\n  - id: x\n    prompt: p\n    forEach: { file: "*.ts" }\n');
    expect(parsed.problems.map((problem) => problem.message).join('\n')).toMatch(/files/);
    const both = parseSpecFile('a/agent-tasks.yaml', 'tasks:\n  - id: x\n    prompt: p\n    forEach: { files: "*.ts", projects: "a" }\n');
    expect(both.problems.map((problem) => problem.message).join('\n')).toMatch(/exactly one/);
  });
});
