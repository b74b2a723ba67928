import { buildAgentGraph } from '../graph/agent-graph';
import { parseSpecFile } from './parse-spec-file';
import { normalizePluginOptions } from './plugin-options';

/**
 * One small file must never stop every Nx command (issue 7, fault 2). Each row went through
 * parseSpecFile and buildAgentGraph (what createNodes does per computation) and threw, ran for
 * tens of seconds or grew a message of hundreds of MB before the spec layer was bounded. Now each
 * yields problems naming the file, quickly, with messages of bounded size.
 */
const rows: Array<{ name: string; file: string; content: () => string; code: string }> = [
  { name: 'a circular YAML alias', file: 'a/agent-tasks.yaml', content: () => 'tasks:\n  - id: x\n    prompt: &a [*a]\n', code: 'syntax' },
  { name: 'a circular alias in a frontmatter', file: 'a/x.agent.md', content: () => '---\ndescription: &a [*a]\n---\nDo it.\n', code: 'syntax' },
  { name: '20 KB of "[" in agent-tasks.json', file: 'a/agent-tasks.json', content: () => '['.repeat(20_000), code: 'syntax' },
  { name: '20 KB of "[" in a decomposition', file: 'a/03-tasks.json', content: () => '['.repeat(20_000), code: 'syntax' },
  { name: '20 KB of "[" in YAML', file: 'a/agent-tasks.yml', content: () => '['.repeat(20_000), code: 'syntax' },
  {
    name: 'deeply nested valid JSON with a wrong type',
    file: 'a/agent-tasks.json',
    content: () => `{"tasks":[{"id":"x","prompt":${'['.repeat(9_000)}${']'.repeat(9_000)}}]}`,
    code: 'syntax',
  },
  {
    name: '8,000 entries with one id',
    file: 'a/agent-tasks.json',
    content: () => JSON.stringify({ tasks: Array.from({ length: 8_000 }, () => ({ id: 'x', prompt: 'p' })) }),
    code: 'duplicate-id',
  },
  {
    name: '20,000 unknown keys',
    file: 'a/agent-tasks.json',
    content: () =>
      JSON.stringify({ tasks: [Object.fromEntries([['id', 'x'], ['prompt', 'p'], ...Array.from({ length: 20_000 }, (_, index) => [`k${index}`, 1])])] }),
    code: 'unknown-field',
  },
  {
    name: 'a 20 KB unknown dependency among 5,000 tasks',
    file: 'a/agent-tasks.json',
    content: () =>
      JSON.stringify({
        tasks: Array.from({ length: 5_000 }, (_, index) => ({ id: `t${index}`, prompt: 'p', dependsOn: index === 0 ? ['z'.repeat(20_000)] : [] })),
      }),
    code: 'unknown-dependency',
  },
  { name: 'a frontmatter that never closes, 100,000 lines of "---x"', file: 'a/x.agent.md', content: () => `---\n${'---x\n'.repeat(100_000)}`, code: 'syntax' },
];

describe('hostile spec files', () => {
  const options = normalizePluginOptions({ defaultAgent: 'scripted' });
  it.each(rows)('$name: problems naming the file, fast, bounded', ({ file, content, code }) => {
    const text = content();
    const started = performance.now();
    const parsed = parseSpecFile(file, text);
    const graph = buildAgentGraph([{ parsed, project: { root: 'a', name: 'a', inferred: false } }], options);
    const elapsed = performance.now() - started;
    expect(graph.problems.length).toBeGreaterThan(0);
    expect(graph.problems.map((problem) => problem.code)).toContain(code);
    for (const problem of graph.problems) {
      expect(problem.file).toBe(file);
      expect(problem.message.length).toBeLessThanOrEqual(1_200);
    }
    // Generous for a loaded 2-core machine; the unbounded versions took 10 to 90 s or never finished.
    expect(elapsed).toBeLessThan(5_000);
  });
});
