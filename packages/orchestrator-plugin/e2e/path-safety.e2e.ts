import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createTempWorkspace, type TempWorkspace } from './utils/temp-workspace';

/**
 * Names that read as paths (a decomposition's `slug`, a project.json `name`) never make a run
 * remove or write anything outside the workspace. The folders a naive `.agent-runs/<project>/<id>`
 * would reach are planted beside the workspace, with a file in each, and must survive the run.
 */
describe('a project name or slug that reads as a path', () => {
  const unique = `agent-victim-${process.pid}-${Date.now()}`;
  let workspace: TempWorkspace;
  let outside: string;
  let planted: string[];

  beforeAll(async () => {
    workspace = createTempWorkspace({
      // No project file encloses it: the slug would name the project `../..`.
      'specs/escape/03-tasks.json': {
        slug: '../..',
        tasks: [{ id: unique, subject: 'Escape by slug', script: { summary: 'slug task ran' } }],
      },
      'apps/victim/project.json': { name: `../../${unique}-by-name` },
      'apps/victim/tasks/escape.agent.md': '---\nscript: { summary: "name task ran" }\n---\nEscape by project name.\n',
    });
    outside = dirname(workspace.root);
    planted = [join(outside, unique), join(outside, `${unique}-by-name`, 'escape')];
    for (const folder of planted) {
      mkdirSync(folder, { recursive: true });
      writeFileSync(join(folder, 'keep.txt'), 'must survive');
    }
  });
  afterAll(() => {
    for (const folder of [join(outside, unique), join(outside, `${unique}-by-name`)]) rmSync(folder, { recursive: true, force: true });
  });

  it('reports both names as spec problems', async () => {
    const result = await workspace.nx(['show', 'projects']);
    expect(result.stderr).toContain('specs/escape/03-tasks.json:2: "slug" "../.." cannot name a project');
    expect(result.stderr).toContain(
      `apps/victim/tasks/escape.agent.md:1: task "escape" belongs to project "../../${unique}-by-name", whose name cannot hold agent tasks`,
    );
  });

  it('runs the slug task in a project named after its folder, removes nothing outside and writes nothing there', async () => {
    const result = await workspace.nx(['run-many', '-t', 'agent', '--parallel=2']);
    for (const folder of planted) expect(readdirSync(folder)).toEqual(['keep.txt']);
    expect(existsSync(join(outside, `${unique}-by-name`, 'escape', 'result.json'))).toBe(false);
    expect(workspace.readJson(`.agent-runs/escape/${unique}/result.json`)).toMatchObject({ status: 'succeeded', summary: 'slug task ran' });
    // The task of the unsafe project is an error target: it fails with its problem and writes no record.
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('whose name cannot hold agent tasks');
  });
});
