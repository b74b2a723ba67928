import { parseSpecFile } from '../task-spec/parse-spec-file';
import { normalizePluginOptions } from '../task-spec/plugin-options';
import type { SpecProblem } from '../task-spec/spec-error';
import { buildAgentGraph, type AgentGraph, type SpecProject } from './agent-graph';

const api: SpecProject = { root: 'apps/api', name: 'api', inferred: false };
const FILE = 'apps/api/specs/03-tasks.json';

interface DecompositionTask {
  id: string;
  dependencies?: string[];
  parallelWith?: string[];
}

/** A decomposition with one task per line, so task N of the list sits on line N + 1. */
function decomposition(...tasks: DecompositionTask[]): AgentGraph {
  const lines = [
    '{ "slug": "auth", "tasks": [',
    ...tasks.map((task, index) => `  ${JSON.stringify({ subject: `Task ${task.id}`, ...task })}${index + 1 < tasks.length ? ',' : ''}`),
    '] }',
  ];
  return buildAgentGraph([{ parsed: parseSpecFile(FILE, lines.join('\n')), project: api }], normalizePluginOptions({}));
}

function warning(line: number, taskId: string, message: string): SpecProblem {
  return { code: 'parallel-claim', file: FILE, line, taskId, message };
}

describe('checkParallelClaims (through buildAgentGraph)', () => {
  const rows: Array<{ name: string; tasks: DecompositionTask[]; warnings: SpecProblem[] }> = [
    {
      name: 'a claim the edges contradict, with the path that orders the pair',
      tasks: [
        { id: '1.1', parallelWith: ['1.2'] },
        { id: '1.2', dependencies: ['1.1'] },
      ],
      warnings: [warning(2, '1.1', '"1.1" lists "1.2" as parallel, but "1.2" depends on "1.1": they will run one after the other')],
    },
    {
      name: 'a transitive ordering, spelled step by step',
      tasks: [{ id: '1.1' }, { id: '1.2', dependencies: ['1.1'] }, { id: '1.3', dependencies: ['1.2'], parallelWith: ['1.1'] }],
      warnings: [warning(4, '1.3', '"1.3" lists "1.1" as parallel, but "1.3" depends on "1.1" (1.3 -> 1.2 -> 1.1): they will run one after the other')],
    },
    {
      name: 'a pair claimed from both sides is reported once',
      tasks: [
        { id: '1.1', parallelWith: ['1.2'] },
        { id: '1.2', dependencies: ['1.1'], parallelWith: ['1.1'] },
      ],
      warnings: [warning(2, '1.1', '"1.1" and "1.2" list each other as parallel, but "1.2" depends on "1.1": they will run one after the other')],
    },
    {
      name: 'siblings that are in fact unordered: no warning',
      tasks: [{ id: '1.1' }, { id: '1.2', dependencies: ['1.1'], parallelWith: ['1.3'] }, { id: '1.3', dependencies: ['1.1'], parallelWith: ['1.2'] }],
      warnings: [],
    },
    {
      name: 'a claim naming an unknown task',
      tasks: [{ id: '1.1', parallelWith: ['9.9'] }],
      warnings: [warning(2, '1.1', 'task "1.1" claims to run in parallel with "9.9", which is not a task of project "api"')],
    },
  ];

  it.each(rows)('$name', ({ tasks, warnings }) => {
    const graph = decomposition(...tasks);
    expect(graph.warnings).toEqual(warnings);
    // A warning never stops a task: every target stays valid.
    expect(graph.problems).toEqual([]);
    for (const task of tasks) expect(graph.files[0].targets[`agent--${task.id}`].cache).toBe(true);
  });
});
