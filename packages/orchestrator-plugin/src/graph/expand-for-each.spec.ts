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

  it('makes one worker per file, each in a project node of its own and keyed on its own file, after the shared task and before the final one', () => {
    const files = ['tools/migrate/src/a.legacy.ts', 'tools/migrate/src/deep/b.legacy.ts'];
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(files));
    expect(expanded.map((input) => [input.project.name, input.project.node?.root, input.parsed.tasks.map((task) => task.id)])).toEqual([
      ['migrate', undefined, ['design', 'review']],
      ['migrate--port--src-a.legacy.ts', 'tools/migrate/.agent-workers/port/src-a.legacy.ts', ['port']],
      ['migrate--port--src-deep-b.legacy.ts', 'tools/migrate/.agent-workers/port/src-deep-b.legacy.ts', ['port']],
    ]);
    // The node works in the template's folder and depends on its project; both nodes carry the template's tag.
    expect(expanded[2].project).toMatchObject({ root: 'tools/migrate', node: { owner: 'migrate', tags: ['agent-workers:migrate:port'] } });
    const worker = expanded[2].parsed.tasks[0];
    expect(worker.prompt).toBe('Port src/deep/b.legacy.ts (b.legacy) of migrate.');
    expect(worker.inputs).toEqual(['{workspaceRoot}/tools/migrate/src/deep/b.legacy.ts']);
    expect(worker.outputs).toEqual(['{workspaceRoot}/tools/migrate/out/b.legacy.ts']);
    expect(worker.script?.files).toEqual({ '{workspaceRoot}/tools/migrate/out/b.legacy.ts': 'ported src/deep/b.legacy.ts' });
    expect(worker.dependsOn).toEqual(['migrate:design']);
    expect(expanded[0].parsed.tasks[1].dependsOn).toEqual(['migrate--port--src-a.legacy.ts:port', 'migrate--port--src-deep-b.legacy.ts:port']);
    const graph = buildAgentGraph(expanded, normalizePluginOptions({ defaultAgent: 'scripted' }));
    expect(graph.problems).toEqual([]);
    const byProject = new Map(graph.files.map((file) => [file.project.name, file.targets]));
    // The final task names the workers by their tag: adding a file changes no target of the template's project.
    expect(byProject.get('migrate')!['agent--review'].dependsOn).toEqual([{ projects: ['tag:agent-workers:migrate:port'], target: 'agent--port' }]);
    expect(byProject.get('migrate')!.agent.dependsOn).toEqual(['agent--*', { projects: ['tag:agent-nodes:migrate'], target: 'agent' }]);
    const node = byProject.get('migrate--port--src-deep-b.legacy.ts')!;
    expect(node['agent--port'].options).toMatchObject({ task: 'port', template: 'port', file: 'src/deep/b.legacy.ts' });
    expect(node['agent--port'].dependsOn).toEqual([{ projects: ['migrate'], target: 'agent--design' }]);
    // No {projectRoot} file set: Nx's hasher fails on one in a project that owns no file.
    expect(JSON.stringify([node['agent--port'].inputs, node['agent--port'].outputs])).not.toContain('{projectRoot}');
    expect(node['agent--port'].outputs).toEqual([
      '{workspaceRoot}/.agent-runs/migrate--port--src-deep-b.legacy.ts/port',
      '{workspaceRoot}/tools/migrate/out/b.legacy.ts',
    ]);
  });

  it('fills a worker at run time exactly as createNodes did, from its target options', () => {
    const files = ['tools/migrate/src/deep/b.legacy.ts'];
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(files));
    const inferred = expanded[1].parsed.tasks[0];
    const atRunTime = withWorker(taskList(FILE_TEMPLATE).parsed, { id: 'port', template: 'port', file: 'src/deep/b.legacy.ts', project: tools });
    expect(atRunTime.tasks.find((task) => task.id === 'port')).toEqual(inferred);
  });

  it('keeps every worker when a file is added: the new file adds one project node, and no other input changes', () => {
    const expand = (files: string[]) => expandForEach([taskList(FILE_TEMPLATE)], facts(files));
    const before = expand(['tools/migrate/src/a.legacy.ts']);
    const after = expand(['tools/migrate/src/a.legacy.ts', 'tools/migrate/src/0.legacy.ts']);
    expect(after.map((input) => input.project.name).filter((name) => !before.some((input) => input.project.name === name))).toEqual([
      'migrate--port--src-0.legacy.ts',
    ]);
    const targetsOf = (inputs: SpecFileInput[]) =>
      new Map(
        buildAgentGraph(inputs, normalizePluginOptions({ defaultAgent: 'scripted' })).files.map((file) => [file.project.name, JSON.stringify(file.targets)]),
      );
    const [was, is] = [targetsOf(before), targetsOf(after)];
    for (const [project, configuration] of was) expect([project, is.get(project)]).toEqual([project, configuration]);
  });

  it('never names a node like a known project: a clash gets a hash', () => {
    const clash = [{ name: 'migrate--port--src-a.legacy.ts', root: 'libs/x', tags: [] }];
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(['tools/migrate/src/a.legacy.ts'], clash));
    expect(expanded[1].project.name).toMatch(/^migrate--port--src-a\.legacy\.ts-[0-9a-f]{8}$/);
  });

  it('slugs any file name to a valid id and reports colliding slugs, giving each a hash', () => {
    expect(slug('src/ünï côde/$weird (1).legacy.ts')).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(slug(`${'x'.repeat(300)}.ts`).length).toBeLessThanOrEqual(80);
    const expanded = expandForEach([taskList(FILE_TEMPLATE)], facts(['tools/migrate/src/a b.legacy.ts', 'tools/migrate/src/a-b.legacy.ts']));
    const workers = expanded.slice(1).map((input) => input.project.name);
    expect(new Set(workers).size).toBe(2);
    for (const name of workers) expect(name).toMatch(/^migrate--port--src-a-b\.legacy\.ts-[0-9a-f]{8}$/);
    expect(new Set(expanded.slice(1).map((input) => input.project.node?.root)).size).toBe(2);
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
    // Each worker's project carries the template's tag, and the final task depends on the tag, not on a list
    // that a new project would change (with every task of the template's project).
    expect(inB.project.tags).toEqual(['agent-workers:migrate:upgrade']);
    const own = graph.files.find((file) => file.project.root === 'tools/migrate')!;
    expect(own.targets['agent--report'].dependsOn).toEqual([{ projects: ['tag:agent-workers:migrate:upgrade'], target: 'agent--upgrade' }]);
  });

  it("tags the template's own project when it is one of the items, and each project once per template", () => {
    const withSelf = [...projects, { name: 'migrate', root: 'tools/migrate', tags: ['lib'] }];
    const twice = PROJECT_TEMPLATE.replace(
      '  - id: report',
      '  - id: again\n    prompt: Again {project}.\n    forEach: { projects: "tag:ui" }\n  - id: report',
    );
    const expanded = expandForEach([taskList(twice)], { projects: withSelf, filesByGlob: new Map() });
    expect(expanded[0].project.tags).toEqual(['agent-workers:migrate:upgrade']);
    expect(expanded[0].parsed.tasks.map((task) => task.id)).toEqual(['design', 'upgrade', 'report']);
    const inB = expanded.find((input) => input.project.root === 'libs/b')!;
    expect([inB.project.tags, inB.parsed.tasks.map((task) => task.id)]).toEqual([
      ['agent-workers:migrate:upgrade', 'agent-workers:migrate:again'],
      ['upgrade', 'again'],
    ]);
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
