import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

const FIXTURES = join(__dirname, '..', 'src', 'testing', 'fixtures', 'task-lists');

/** Every file under a fixture folder, by its path inside it. */
function filesUnder(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== 'README.md') files[relative(folder, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(folder);
  return files;
}

interface TaskGraph {
  graph: { nodes: Record<string, { data: { targets?: Record<string, { metadata?: { agentTask?: { serializedAfter?: unknown[] } } }> } }> };
  tasks: { tasks: Record<string, unknown>; dependencies: Record<string, Array<{ id: string }>> };
}

/** Real task lists from public repositories, in a real workspace: every task a target, every edge a task-graph edge. */
describe('real task lists of other tools in a workspace', () => {
  let workspace: TempWorkspace;
  beforeAll(() => {
    workspace = createTempWorkspace({
      ...filesUnder(join(FIXTURES, 'decomposition')),
      ...filesUnder(join(FIXTURES, 'task-master')),
      ...filesUnder(join(FIXTURES, 'spec-kit')),
    });
  });

  it('nx show projects lists one project per task list, with no problem but the tracker-free ones', async () => {
    const result = await workspace.nx(['show', 'projects']);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual([
      '003-backend-stability-and-data-loading',
      'newsletter',
      'page-width-consistency',
      'profile-unification',
      'remove-binding-projectpath',
      'taskmaster',
    ]);
    expect(result.stderr).not.toContain('problem');
  });

  it('nx graph --targets=agent has every task and exactly the edges the files state', async () => {
    const result = await workspace.nx(['graph', '--targets=agent', '--file=graph.json']);
    expect(result.code).toBe(0);
    const { tasks } = workspace.readJson<TaskGraph>('graph.json');
    const edges = (task: string) => edgesOf(tasks, task).sort();
    expect(edges('profile-unification:agent--2.1')).toEqual(['profile-unification:agent--1.1', 'profile-unification:agent--1.2']);
    expect(edges('remove-binding-projectpath:agent--T16')).toEqual(['T11', 'T12', 'T13', 'T14', 'T15'].map((id) => `remove-binding-projectpath:agent--${id}`));
    expect(edges('newsletter:agent--DOR-199')).toEqual(['newsletter:agent--DOR-196']);
    // task-master: a pending subtask after its parent's dependency and its sibling; the parent waits for its subtasks.
    expect(edges('taskmaster:agent--9.2')).toEqual(['taskmaster:agent--4', 'taskmaster:agent--9.1']);
    expect(edges('taskmaster:agent--9')).toEqual(['taskmaster:agent--9.1', 'taskmaster:agent--9.2', 'taskmaster:agent--9.3']);
    // spec-kit: phase order, [P], user stories side by side, and a "depends on" note.
    expect(edges('003-backend-stability-and-data-loading:agent--T012')).toEqual(
      ['T005', 'T010', 'T011'].map((id) => `003-backend-stability-and-data-loading:agent--${id}`),
    );
    const agentTasks = Object.keys(tasks.tasks).filter((id) => id.includes(':agent--'));
    expect(agentTasks).toHaveLength(8 + 16 + 3 + 4 + 22 + 56);
  });

  it('done tasks are shown but not run: the aggregate runs only open tasks', async () => {
    const project = JSON.parse((await workspace.nx(['show', 'project', 'page-width-consistency', '--json'])).stdout);
    expect(project.targets['agent--1.1'].executor).toBe('nx:noop');
    expect(project.targets['agent--1.1'].metadata.description).toMatch(/^done in specs\/page-width-consistency\/03-tasks.json, not run/);
    const run = await workspace.nx(['run', 'page-width-consistency:agent']);
    expect(run.code).toBe(0);
    expect(workspace.exists('.agent-runs/page-width-consistency')).toBe(false);
  });
});

/** A workspace of 263 real decompositions (the dorkos layout): a short report, a complete graph. */
describe('a workspace of 263 decomposition files', () => {
  let workspace: TempWorkspace;
  const slugs: Array<{ slug: string; fixture: string }> = [];
  // Edges per fixture, as the unit tests of the real files list them.
  const EDGES: Record<string, number> = { 'profile-unification': 7, 'remove-binding-projectpath': 59, 'page-width-consistency': 0, newsletter: 1 };
  beforeAll(() => {
    const files: Record<string, string | object> = {};
    const sources = filesUnder(join(FIXTURES, 'decomposition'));
    const names = Object.keys(sources);
    for (let index = 0; index < 263; index++) {
      const source = JSON.parse(sources[names[index % names.length]]) as Record<string, unknown>;
      const slug = `spec-${String(index).padStart(3, '0')}`;
      slugs.push({ slug, fixture: names[index % names.length].split('/')[1] });
      // Every 10th file cites a tracker id, every 25th has a syntax error: the report must stay short.
      if (index % 25 === 0) files[`specs/${slug}/03-tasks.json`] = '{ "tasks": [ ';
      else
        files[`specs/${slug}/03-tasks.json`] = {
          ...source,
          slug,
          ...(index % 10 === 0 ? { tasks: [{ id: '1', subject: 'S', dependencies: [`DOR-${index}`] }] } : {}),
        };
    }
    workspace = createTempWorkspace(files);
  });

  it('nx show projects prints at most 30 lines of problems, and names the full list', async () => {
    const result = await workspace.nx(['show', 'projects']);
    expect(result.code).toBe(0);
    const reportLines = result.stderr.split('\n').filter((line) => line.startsWith('nx-agent-orchestrator') || line.startsWith('  '));
    expect(reportLines.length).toBeGreaterThan(2);
    expect(reportLines.length).toBeLessThanOrEqual(30);
    expect(result.stderr).toMatch(/nx-agent-orchestrator: the full list is in \S+nx-agent-orchestrator-problems\.txt/);
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(263);
  });

  it('nx graph --targets=agent has every task and every edge', async () => {
    const result = await workspace.nx(['graph', '--targets=agent', '--file=graph.json']);
    expect(result.code).toBe(0);
    const { tasks, graph } = workspace.readJson<TaskGraph>('graph.json');
    let expectedTasks = 0;
    let expectedEdges = 0;
    for (const [index, { slug, fixture }] of slugs.entries()) {
      const text = workspace.read(`specs/${slug}/03-tasks.json`);
      if (index % 25 === 0) {
        expectedTasks++; // the file's error target
        continue;
      }
      const parsed = JSON.parse(text) as { tasks?: unknown[]; phases?: Array<{ tasks: unknown[] }>; batches?: Array<{ tasks: unknown[] }> };
      expectedTasks += (parsed.tasks ?? [...(parsed.phases ?? []), ...(parsed.batches ?? [])].flatMap((group) => group.tasks)).length;
      // A file citing a tracker id keeps its task, without an edge to the id.
      expectedEdges += index % 10 === 0 ? 0 : EDGES[fixture];
    }
    const agentTasks = Object.keys(tasks.tasks).filter((id) => id.includes(':agent--'));
    expect(agentTasks).toHaveLength(expectedTasks);
    // Besides the declared edges, only the serializations of overlapping file lists (write conflicts), each named in its target's metadata.
    const serializedAfter = (id: string) => {
      const [project, target] = id.split(':');
      return graph.nodes[project].data.targets?.[target]?.metadata?.agentTask?.serializedAfter?.length ?? 0;
    };
    const edges = agentTasks.reduce((sum, id) => sum + edgesOf(tasks, id).length - serializedAfter(id), 0);
    expect(edges).toBe(expectedEdges);
    expect(edges).toBeGreaterThan(3_000);
  });

  it('with the daemon on, the report still reaches the terminal', async () => {
    const environment = { NX_DAEMON: 'true', CI: 'false' };
    try {
      const result = await workspace.nx(['show', 'projects'], { env: environment });
      expect(result.code).toBe(0);
      expect(result.output).toContain('nx-agent-orchestrator:');
      expect(result.output).toMatch(/problems? in \d+ agent task spec files?/);
    } finally {
      await workspace.nx(['daemon', '--stop'], { env: environment });
    }
  });
});

function edgesOf(tasks: TaskGraph['tasks'], id: string): string[] {
  return (tasks.dependencies[id] ?? []).map((dependency) => dependency.id);
}
