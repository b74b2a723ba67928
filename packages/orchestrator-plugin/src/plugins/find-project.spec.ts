import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { SpecProject } from '../graph/agent-graph';
import { findProjectForSpec } from './find-project';

const workspaces: string[] = [];
afterAll(() => workspaces.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

function createWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'agent-find-project-'));
  workspaces.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

describe('findProjectForSpec', () => {
  const root = createWorkspace({
    'package.json': '{ "name": "workspace-root" }',
    'apps/api/project.json': '{ "name": "api" }',
    'apps/broken/project.json': '{ not json',
    'libs/Shared/package.json': '{ "nx": {} }',
  });

  it.each<{ file: string; slug?: string; expected: SpecProject }>([
    { file: 'apps/api/tasks/deep/x.agent.md', expected: { root: 'apps/api', name: 'api', inferred: false } },
    { file: 'apps/api/x.agent.md', expected: { root: 'apps/api', name: 'api', inferred: false } },
    { file: 'apps/broken/x.agent.md', expected: { root: 'apps/broken', name: 'broken', inferred: false } },
    { file: 'libs/Shared/x.agent.md', expected: { root: 'libs/Shared', name: 'shared', inferred: false } },
    // The workspace root's package.json is not "an enclosing project below the workspace root".
    { file: 'scratch/notes/x.agent.md', expected: { root: 'scratch/notes', name: 'notes', inferred: true } },
    { file: 'scratch/notes/03-tasks.json', slug: 'auth-spec', expected: { root: 'scratch/notes', name: 'auth-spec', inferred: true } },
    { file: 'apps/api/03-tasks.json', slug: 'ignored-inside-a-project', expected: { root: 'apps/api', name: 'api', inferred: false } },
  ])('$file', ({ file, slug, expected }) => {
    expect(findProjectForSpec(root, file, slug, new Map())).toEqual(expected);
  });

  it('names a spec at the workspace root after the workspace folder', () => {
    expect(findProjectForSpec(root, 'x.agent.md', undefined, new Map())).toEqual({ root: '.', name: basename(root), inferred: true });
  });

  it('reads each folder once per memo', () => {
    const workspace = createWorkspace({ 'apps/web/project.json': '{ "name": "web" }' });
    const memo = new Map<string, SpecProject | null>();
    expect(findProjectForSpec(workspace, 'apps/web/a/x.agent.md', undefined, memo).name).toBe('web');
    unlinkSync(join(workspace, 'apps/web/project.json'));
    expect(findProjectForSpec(workspace, 'apps/web/a/y.agent.md', undefined, memo).name).toBe('web');
    expect([...memo.keys()].sort()).toEqual(['apps/web', 'apps/web/a']);
    expect(findProjectForSpec(workspace, 'apps/web/a/y.agent.md', undefined, new Map())).toEqual({ root: 'apps/web/a', name: 'a', inferred: true });
  });
});
