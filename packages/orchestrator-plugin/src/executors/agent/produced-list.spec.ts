import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkProducedList } from './produced-list';

describe('checkProducedList', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'produced-list-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, content: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
  };
  const check = (file = 'apps/shop/plan/agent-tasks.json') =>
    checkProducedList({ workspaceRoot: root, file, produces: 'plan/agent-tasks.json', analysis: 'shop:agent--plan' });

  it('gives the ids of a list that parses', () => {
    write(
      'apps/shop/plan/agent-tasks.json',
      JSON.stringify({
        tasks: [
          { id: 'schema', prompt: 'a' },
          { id: 'api', prompt: 'b', dependsOn: ['schema', 'other:x'] },
        ],
      }),
    );
    expect(check()).toEqual({ ok: true, tasks: ['schema', 'api'] });
  });

  it('accepts an empty list', () => {
    write('apps/shop/plan/agent-tasks.yaml', 'tasks: []\n');
    expect(check('apps/shop/plan/agent-tasks.yaml')).toEqual({ ok: true, tasks: [] });
  });

  it('refuses a list the analysis did not write', () => {
    expect(check()).toEqual({
      ok: false,
      message:
        'shop:agent--plan did not write the task list it produces (produces: "plan/agent-tasks.json"): apps/shop/plan/agent-tasks.json: it does not exist',
    });
  });

  it('refuses a list that does not parse, with the file, the line and every problem', () => {
    write('apps/shop/plan/agent-tasks.json', '{\n  "tasks": [\n    { "id": "schema", "promt": "a" },\n    { "id": "api" }\n  ]\n}\n');
    const result = check();
    expect(result.ok).toBe(false);
    const message = (result as { message: string }).message;
    expect(message).toContain('the task list shop:agent--plan wrote does not parse, so none of it runs:');
    expect(message).toContain('apps/shop/plan/agent-tasks.json:3: unknown field "promt" in task "schema". Did you mean "prompt"?');
    expect(message).toContain('apps/shop/plan/agent-tasks.json:4: task "api" has no prompt');
  });

  it('refuses JSON that is cut short', () => {
    write('apps/shop/plan/agent-tasks.json', '{ "tasks": [ { "id": "schema"');
    expect((check() as { message: string }).message).toMatch(/apps\/shop\/plan\/agent-tasks\.json:1: /);
  });

  it('refuses a dependency on an id the list does not have', () => {
    write('apps/shop/plan/agent-tasks.json', JSON.stringify({ tasks: [{ id: 'api', prompt: 'b', dependsOn: ['schema'] }] }));
    expect((check() as { message: string }).message).toContain('task "api" depends on "schema", which apps/shop/plan/agent-tasks.json does not have');
  });

  it('refuses a path outside the workspace', () => {
    expect((check('../elsewhere/agent-tasks.json') as { message: string }).message).toMatch(/refusing to use/);
  });
});
