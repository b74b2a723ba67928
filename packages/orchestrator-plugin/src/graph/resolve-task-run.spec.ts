import { parseSpecFile } from '../task-spec/parse-spec-file';
import { DEFAULT_PLUGIN_OPTIONS, type NormalizedPluginOptions } from '../task-spec/plugin-options';
import { resolveTaskRun } from './resolve-task-run';

const OPTIONS: NormalizedPluginOptions = {
  ...DEFAULT_PLUGIN_OPTIONS,
  defaultAgent: 'scripted',
  agents: {
    implementer: { provider: 'scripted', model: 'm1', script: { summary: 'profile script' } },
    runner: { provider: 'command', command: ['x'], tools: ['Read'] },
    coder: { provider: 'codex', tools: ['Read', 'Write'] },
  },
};
const context = (name = 'api') => ({ project: { name, root: 'apps/api' }, options: OPTIONS, subagents: [] });
const parsed = (content: string, file = 'apps/api/write.agent.md') => parseSpecFile(file, content);

describe('resolveTaskRun', () => {
  it('resolves a valid task: agent with the task model applied, script (task, else profile), record folder', () => {
    const own = resolveTaskRun(parsed('---\nagent: implementer\nmodel: m2\nscript: { summary: own }\n---\nDo it.\n'), 'write', context());
    expect(own).toMatchObject({
      ok: true,
      run: {
        project: { name: 'api', root: 'apps/api' },
        agent: { name: 'implementer', provider: 'scripted', profile: { model: 'm2' } },
        script: { summary: 'own' },
        recordFolder: '.agent-runs/api/write',
      },
    });
    const fromProfile = resolveTaskRun(parsed('---\nagent: implementer\n---\nDo it.\n'), 'write', context());
    expect(fromProfile).toMatchObject({ ok: true, run: { agent: { profile: { model: 'm1' } }, script: { summary: 'profile script' } } });
  });

  it('an unknown agent is a problem naming every known name', () => {
    const result = resolveTaskRun(parsed('---\nagent: implementr\n---\nDo it.\n'), 'write', context());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([expect.objectContaining({ code: 'unknown-agent', taskId: 'write' })]);
    expect(result.problems[0].message).toContain('Profiles (nx.json and .claude/agents): coder, implementer, runner; providers:');
  });

  it('a project whose name is a path holds no runnable task', () => {
    const result = resolveTaskRun(parsed('Do it.\n'), 'write', context('../../victim'));
    expect(result).toMatchObject({ ok: false, problems: [{ code: 'unsafe-name', message: expect.stringContaining('whose name cannot hold agent tasks') }] });
  });

  it('a task that is no longer in its file says the graph is older than the file', () => {
    const result = resolveTaskRun(parsed('Do it.\n'), 'renamed', context());
    expect(result).toMatchObject({
      ok: false,
      problems: [
        {
          code: 'stale-graph',
          message: 'task "renamed" is no longer in apps/api/write.agent.md: the project graph is older than the file. Run the command again (or `nx reset`).',
        },
      ],
    });
  });

  it("an invalid task gives its own problems and those of its file, not other tasks'", () => {
    const file = 'apps/api/agent-tasks.json';
    const list = parsed('{ "tasks": [ { "id": "a", "prompt": "A", "retries": "x" }, { "id": "b", "prompt": "B", "retries": "y" } ] }', file);
    const result = resolveTaskRun(list, 'a', context());
    expect(result).toMatchObject({ ok: false, problems: [{ taskId: 'a', code: 'invalid-field' }] });
  });

  it('a restriction its provider cannot enforce makes the task fail with the problem, before it runs', () => {
    const result = resolveTaskRun(parsed('---\nagent: runner\n---\nDo it.\n'), 'write', context());
    expect(result).toMatchObject({
      ok: false,
      problems: [
        {
          code: 'unsupported-setting',
          taskId: 'write',
          message: expect.stringContaining('task "write" (agent "runner"): provider "command" cannot honour "tools"'),
        },
      ],
    });
  });

  it('a setting its provider honours only in part is a warning the run carries', () => {
    const result = resolveTaskRun(parsed('---\nagent: coder\n---\nDo it.\n'), 'write', context());
    expect(result).toMatchObject({ ok: true, run: { warnings: [{ type: 'unsupported-setting', setting: 'tools' }] } });
  });
});
