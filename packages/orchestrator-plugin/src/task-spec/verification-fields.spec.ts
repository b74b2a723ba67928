import { parseSpecFile } from './parse-spec-file';
import { parseSubagentFile } from './parse-subagent-file';
import { normalizePluginOptions } from './plugin-options';

const markdown = (...frontmatter: string[]) => ['---', ...frontmatter, '---', 'Do it.'].join('\n');

describe('verify and isolation fields', () => {
  it('are read from a task file, a task list and a decomposition', () => {
    const fromMarkdown = parseSpecFile(
      'apps/api/sum.agent.md',
      markdown('verify: ["nx:{project}:test", "npm run lint -- {project}"]', 'verifyAttempts: 3', 'isolation: worktree', 'writeViolations: warn'),
    );
    expect(fromMarkdown.problems).toEqual([]);
    expect(fromMarkdown.tasks[0]).toMatchObject({
      verify: ['nx:{project}:test', 'npm run lint -- {project}'],
      verifyAttempts: 3,
      isolation: 'worktree',
      writeViolations: 'warn',
    });
    const fromList = parseSpecFile('apps/api/agent-tasks.json', JSON.stringify({ tasks: [{ id: 'a', prompt: 'P', verify: 'npm test' }] }));
    expect(fromList.tasks[0]).toMatchObject({ verify: ['npm test'] });
    const fromDecomposition = parseSpecFile(
      'specs/x/03-tasks.json',
      JSON.stringify({ tasks: [{ id: '1.1', subject: 'S', verify: ['npm test'], isolation: 'worktree' }] }),
    );
    expect(fromDecomposition.tasks[0]).toMatchObject({ verify: ['npm test'], isolation: 'worktree' });
  });

  it('leave a task that sets none of them as it was', () => {
    const task = parseSpecFile('apps/api/sum.agent.md', markdown('description: d')).tasks[0];
    expect([task.verify, task.verifyAttempts, task.isolation, task.writeViolations]).toEqual([undefined, undefined, undefined, undefined]);
  });

  it.each([
    ['verify: ["npm test -- {projct}"]', /verify.*\{projct\}.*Did you mean \{project\}\?/],
    ['verify: ["nx:test"]', /verify.*nx:<project>:<target>/],
    ['verifyAttempts: 0', /verifyAttempts.*expected at least 1/],
    ['isolation: container', /isolation/],
    ['writeViolations: ignore', /writeViolations/],
  ])('report %s with its line', (field, message) => {
    const parsed = parseSpecFile('apps/api/sum.agent.md', markdown('description: d', field));
    expect(parsed.problems).toHaveLength(1);
    expect(parsed.problems[0].message).toMatch(message);
    expect(parsed.problems[0].line).toBe(3);
  });

  it('can be set on a profile in nx.json, and isolation comes from a Claude Code subagent file', () => {
    const options = normalizePluginOptions({
      agents: { careful: { provider: 'claude-code', verify: ['npm test'], verifyAttempts: 3, isolation: 'worktree' } },
    });
    expect(options.agents.careful).toMatchObject({ verify: ['npm test'], verifyAttempts: 3, isolation: 'worktree' });
    expect(() => normalizePluginOptions({ agents: { bad: { provider: 'scripted', verify: ['nx:x'] } } })).toThrow(/nx:<project>:<target>/);
    const subagent = parseSubagentFile('.claude/agents/iso.md', '---\nname: iso\nisolation: worktree\n---\nBody');
    expect(subagent.ok && subagent.value.profile.isolation).toBe('worktree');
  });
});
