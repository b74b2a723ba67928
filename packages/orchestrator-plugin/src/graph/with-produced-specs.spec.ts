import { parseSpecFile } from '../task-spec/parse-spec-file';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import { buildAgentGraph, type SpecFileInput } from './agent-graph';
import { withProducedSpecs, type ProducedSpecsFacts } from './with-produced-specs';

const SHOP = { name: 'shop', root: 'apps/shop', inferred: false };
const ANALYSIS = 'apps/shop/agent-tasks.yaml';
const LIST = 'apps/shop/plan/agent-tasks.json';

const analysis = (produces = 'plan/agent-tasks.json'): SpecFileInput => ({
  project: SHOP,
  parsed: parseSpecFile(ANALYSIS, ['tasks:', '  - id: plan', '    prompt: Plan.', `    produces: ${produces}`, ''].join('\n')),
});

const list: ParsedSpecFile = parseSpecFile(
  LIST,
  JSON.stringify({
    tasks: [
      { id: 'schema', prompt: 'Schema.', inputs: ['docs/**', '!docs/old/**'], outputs: ['{projectRoot}/src/schema.ts'] },
      { id: 'api', prompt: 'API.', dependsOn: ['schema'], writes: ['{workspaceRoot}/libs/api/**'] },
    ],
  }),
);

const facts = (files: Record<string, ParsedSpecFile>, names: string[] = []): ProducedSpecsFacts => ({
  read: (file) => files[file],
  projectNames: () => new Set(names),
});

describe('withProducedSpecs', () => {
  it('adds nothing while the list does not exist (the first run)', () => {
    const inputs = [analysis()];
    expect(withProducedSpecs(inputs, facts({}))).toEqual(inputs);
  });

  it("puts the list's tasks in a project node of their own, after the analysis, with paths from the workspace root", () => {
    const ordinaryCopy: SpecFileInput = { project: SHOP, parsed: list };
    const result = withProducedSpecs([analysis(), ordinaryCopy], facts({ [LIST]: list }));
    expect(result.map((input) => [input.project.name, input.parsed.file])).toEqual([
      ['shop', ANALYSIS],
      ['shop--plan', LIST],
    ]);
    const produced = result[1];
    expect(produced.project).toEqual({
      name: 'shop--plan',
      root: 'apps/shop',
      inferred: false,
      node: { root: 'apps/shop/.agent-produced/plan', owner: 'shop', tags: [] },
    });
    const [schema, api] = produced.parsed.tasks;
    expect(schema).toMatchObject({
      producedBy: 'shop:plan',
      dependsOn: ['shop:plan'],
      inputs: ['{workspaceRoot}/apps/shop/docs/**', '!{workspaceRoot}/apps/shop/docs/old/**'],
      outputs: ['{workspaceRoot}/apps/shop/src/schema.ts'],
    });
    expect(api).toMatchObject({ dependsOn: ['shop:plan', 'schema'], writes: ['{workspaceRoot}/libs/api/**'] });
  });

  it('gives Nx targets with no project-root file set, the aggregate included, and edges to the analysis', () => {
    const graph = buildAgentGraph(withProducedSpecs([analysis()], facts({ [LIST]: list })), normalizePluginOptions({ defaultAgent: 'scripted' }));
    expect(graph.problems).toEqual([]);
    const produced = graph.files.find((file) => file.project.name === 'shop--plan')!;
    expect(JSON.stringify(produced.targets)).not.toContain('{projectRoot}');
    expect(produced.targets.agent.inputs).toEqual([`{workspaceRoot}/${LIST}`]);
    expect(produced.targets['agent--schema'].dependsOn).toEqual([{ projects: ['shop'], target: 'agent--plan' }]);
    expect(produced.targets['agent--api'].dependsOn).toEqual([{ projects: ['shop'], target: 'agent--plan' }, 'agent--schema']);
    expect(produced.targets['agent--api'].options).toEqual({ spec: LIST, task: 'api', producedBy: 'shop:plan' });
    const shop = graph.files.find((file) => file.project.name === 'shop')!;
    expect(shop.targets['agent--plan'].outputs).toEqual(['{workspaceRoot}/.agent-runs/shop/plan', '{projectRoot}/plan/agent-tasks.json']);
    expect(shop.targets.agent.inputs).toBeUndefined();
  });

  it("leaves the analysis task's project as it was when the list appears (Nx hashes every target of it into the analysis)", () => {
    const options = normalizePluginOptions({ defaultAgent: 'scripted' });
    const shopOf = (graph: ReturnType<typeof buildAgentGraph>) => graph.files.find((file) => file.project.name === 'shop')!.targets;
    const before = shopOf(buildAgentGraph(withProducedSpecs([analysis()], facts({})), options));
    const after = shopOf(buildAgentGraph(withProducedSpecs([analysis()], facts({ [LIST]: list })), options));
    expect(after).toEqual(before);
    // The owner's aggregate runs the produced project's through the node tag, so `nx run shop:agent` reaches it.
    expect(after.agent.dependsOn).toEqual(['agent--*', { projects: ['tag:agent-nodes:shop'], target: 'agent' }]);
  });

  it("reports a list's own problems like any spec file's, as targets of the produced project", () => {
    const broken = parseSpecFile(LIST, JSON.stringify({ tasks: [{ id: 'schema', promt: 'x' }] }));
    const graph = buildAgentGraph(withProducedSpecs([analysis()], facts({ [LIST]: broken })), normalizePluginOptions({ defaultAgent: 'scripted' }));
    expect(graph.problems.map((problem) => problem.message)).toEqual([expect.stringContaining('unknown field "promt" in task "schema"')]);
    const produced = graph.files.find((file) => file.project.name === 'shop--plan')!;
    expect(produced.targets['agent--schema'].options).toMatchObject({ error: expect.stringContaining('promt') });
  });

  it('refuses a produced project name that is taken, as a problem of the analysis task', () => {
    const result = withProducedSpecs([analysis()], facts({ [LIST]: list }, ['shop--plan']));
    expect(result).toHaveLength(1);
    expect(result[0].parsed.problems).toEqual([
      expect.objectContaining({
        taskId: 'plan',
        message: expect.stringContaining('whose tasks go into project "shop--plan", but a project of that name exists'),
      }),
    ]);
  });

  it('reads no list outside the workspace; the graph reports the path under produces', () => {
    const read = jest.fn();
    const inputs = [analysis('../../../elsewhere/agent-tasks.json')];
    expect(withProducedSpecs(inputs, { read, projectNames: () => new Set() })).toEqual(inputs);
    expect(read).not.toHaveBeenCalled();
    const graph = buildAgentGraph(inputs, normalizePluginOptions({ defaultAgent: 'scripted' }));
    expect(graph.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^produces "\.\.\/\.\.\/\.\.\/elsewhere\/agent-tasks\.json" of task "plan" leaves the workspace/),
    ]);
  });

  it('reads a list a produced task produces, one level down', () => {
    const nested = parseSpecFile(LIST, JSON.stringify({ tasks: [{ id: 'design', prompt: 'Design.', produces: 'plan/design/agent-tasks.json' }] }));
    const deeper = parseSpecFile('apps/shop/plan/design/agent-tasks.json', JSON.stringify({ tasks: [{ id: 'build', prompt: 'Build.' }] }));
    const result = withProducedSpecs([analysis()], facts({ [LIST]: nested, 'apps/shop/plan/design/agent-tasks.json': deeper }));
    expect(result.map((input) => input.project.name)).toEqual(['shop', 'shop--plan', 'shop--plan--design']);
    expect(result[2].project.node).toEqual({ root: 'apps/shop/.agent-produced/plan/.agent-produced/design', owner: 'shop', tags: [] });
    expect(result[2].parsed.tasks[0]).toMatchObject({ producedBy: 'shop--plan:design', dependsOn: ['shop--plan:design'] });
  });
});
