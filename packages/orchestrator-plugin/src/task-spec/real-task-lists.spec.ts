import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAgentGraph } from '../graph/agent-graph';
import { parseSpecFile } from './parse-spec-file';
import { normalizePluginOptions } from './plugin-options';

/**
 * Real files from public repositories (see testing/fixtures/task-lists/README.md) load with
 * exactly the tasks and edges their tools mean: every dependency as written, phase and batch
 * order where the file states nothing else, subtasks after their parent's dependencies, and
 * spec-kit's phase and [P] rules plus its "depends on" notes. Each value lists a task's edges,
 * then why it runs no agent (closed by its status, or carried out by its subtasks).
 */
const FIXTURES = join(__dirname, '..', 'testing', 'fixtures', 'task-lists');

const rows: Array<{ fixture: string; edges: Record<string, string> }> = [
  {
    fixture: 'decomposition/specs/profile-unification/03-tasks.json',
    edges: {
      '1.1': '',
      '1.2': '',
      '1.3': '',
      '2.1': '1.1 1.2',
      '2.2': '2.1',
      '2.3': '2.1',
      '3.1': '2.2 2.3',
      '4.1': '3.1',
    },
  },
  {
    fixture: 'decomposition/specs/remove-binding-projectpath/03-tasks.json',
    edges: {
      T1: '',
      T2: 'T1',
      T3: 'T1',
      T4: 'T1',
      T5: 'T1',
      T6: 'T1',
      T7: 'T1',
      T8: 'T1',
      T9: 'T1',
      T10: 'T1',
      T11: 'T2 T3 T4 T5 T6 T7 T8 T9 T10',
      T12: 'T2 T3 T4 T5 T6 T7 T8 T9 T10',
      T13: 'T2 T3 T4 T5 T6 T7 T8 T9 T10',
      T14: 'T2 T3 T4 T5 T6 T7 T8 T9 T10',
      T15: 'T2 T3 T4 T5 T6 T7 T8 T9 T10',
      T16: 'T11 T12 T13 T14 T15',
    },
  },
  {
    fixture: 'decomposition/specs/page-width-consistency/03-tasks.json',
    edges: {
      '1.1': 'done',
      '1.2': 'done',
      '2.1': 'done',
    },
  },
  {
    fixture: 'decomposition/specs/newsletter/03-tasks.json',
    edges: {
      'DOR-196': '',
      'DOR-199': 'DOR-196',
      'DOR-197': '',
      'DOR-198': '',
    },
  },
  {
    fixture: 'task-master/.taskmaster/tasks/tasks.json',
    edges: {
      '1': '1.1 1.2 1.3 | done',
      '2': '2.1 2.2 2.3 | done',
      '3': '3.1 3.2 3.3 | done',
      '4': '4.1 4.2 4.3 | done',
      '9': '9.1 9.2 9.3 | subtasks',
      '10': '1',
      '11': '4',
      '1.1': 'done',
      '1.2': '1.1 | done',
      '1.3': '1.2 | done',
      '2.1': '1 | done',
      '2.2': '1 | done',
      '2.3': '1 | done',
      '3.1': '1 | done',
      '3.2': '1 3.1 | done',
      '3.3': '1 3.2 | done',
      '4.1': '2 3 | done',
      '4.2': '2 3 4.1 | done',
      '4.3': '2 3 4.1 4.2 | done',
      '9.1': '4',
      '9.2': '4 9.1',
      '9.3': '4 9.2',
    },
  },
  {
    fixture: 'spec-kit/specs/003-backend-stability-and-data-loading/tasks.md',
    edges: {
      T001: '',
      T002: 'T001',
      T003: 'T001',
      T004: 'T002 T003',
      T005: 'T004',
      T006: 'T005 T004',
      T007: 'T006',
      T008: 'T007',
      T009: 'T008',
      T010: 'T009',
      T011: 'T009',
      T012: 'T010 T011 T005',
      T013: 'T012',
      T014: 'T013',
      T015: 'T014 T011',
      T016: 'T015',
      T017: 'T016',
      T018: 'T009',
      T019: 'T018',
      T020: 'T019',
      T021: 'T020',
      T022: 'T021',
      T023: 'T022',
      T024: 'T023',
      T025: 'T009',
      T026: 'T009',
      T027: 'T025 T026',
      T028: 'T027',
      T029: 'T028',
      T030: 'T029',
      T031: 'T030',
      T032: 'T031',
      T033: 'T017 T024 T032',
      T034: 'T017 T024 T032',
      T035: 'T017 T024 T032',
      T036: 'T017 T024 T032',
      T037: 'T033 T034 T035 T036',
      T038: 'T037',
      T039: 'T038 T037',
      T040: 'T039',
      T041: 'T040 T015',
      T042: 'T041',
      T043: 'T041',
      T044: 'T041',
      T045: 'T042 T043 T044',
      T046: 'T045',
      T047: 'T046',
      T048: 'T047',
      T049: 'T048',
      T050: 'T048',
      T051: 'T049 T050',
      T052: 'T049 T050',
      T053: 'T049 T050',
      T054: 'T051 T052 T053',
      T055: 'T054',
      T056: 'T055',
    },
  },
];

describe('real task lists load with exact tasks and edges', () => {
  it.each(rows)('$fixture', ({ fixture, edges }) => {
    const file = fixture.split('/').slice(1).join('/');
    const parsed = parseSpecFile(file, readFileSync(join(FIXTURES, fixture), 'utf8'));
    expect(parsed.problems).toEqual([]);
    const shown = Object.fromEntries(
      parsed.tasks.map((task) => [task.id, [task.dependsOn.join(' '), task.closed ?? (task.subtasks ? 'subtasks' : '')].filter(Boolean).join(' | ')]),
    );
    expect(shown).toEqual(edges);
    // Through the graph: every task is a target, every edge a dependsOn, and nothing is a problem. Tasks whose
    // file lists overlap and that nothing orders are serialized too (write conflicts): those edges are the only extra ones.
    const graph = buildAgentGraph(
      [{ parsed, project: { root: file.split('/').slice(0, -1).join('/'), name: 'p', inferred: true } }],
      normalizePluginOptions({ defaultAgent: 'scripted' }),
    );
    expect(graph.problems).toEqual([]);
    const targets = graph.files[0].targets;
    for (const task of parsed.tasks) {
      const target = targets[`agent--${task.id}`];
      const serialized = ((target.metadata?.agentTask as { serializedAfter?: Array<{ task: string }> }).serializedAfter ?? []).map(
        ({ task: key }) => `agent--${key.slice('p:'.length)}`,
      );
      expect(target.dependsOn ?? []).toEqual([...task.dependsOn.map((id) => `agent--${id}`), ...serialized]);
      expect(target.executor).toBe(task.closed || task.subtasks ? 'nx:noop' : 'nx-agent-orchestrator:agent');
    }
  });

  it('keeps what it does not map, and builds the prompt from title, description and acceptance text', () => {
    const file = 'specs/profile-unification/03-tasks.json';
    const parsed = parseSpecFile(file, readFileSync(join(FIXTURES, 'decomposition', file), 'utf8'));
    const task = parsed.tasks.find((candidate) => candidate.id === '1.1')!;
    expect(task.extra).toMatchObject({ slug: 'profile-roster-activity', spec: '§3.1' });
    expect(task.writes).toContain('{workspaceRoot}/apps/server/src/routes/team.ts');
    expect(task.prompt).toMatch(/^# Server: roster activity/);
    expect(task.prompt).toContain('## Acceptance criteria');
  });
});
