import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { minimatch } from 'minimatch';
import { parseSpecFile } from '../task-spec/parse-spec-file';
import type { SpecFileInput } from '../graph/agent-graph';
import { expandForEach } from '../graph/expand-for-each';
import { readForEachFacts } from './read-for-each-facts';

function workspace(files: Record<string, string>): { root: string; glob: (root: string, globs: string[]) => string[] } {
  const root = mkdtempSync(join(tmpdir(), 'for-each-facts-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  // Stands in for Nx's workspace file index: the same answer, matched over the files written here.
  const glob = (_root: string, globs: string[]) => Object.keys(files).filter((file) => globs.some((pattern) => minimatch(file, pattern)));
  return { root, glob };
}

const TEMPLATE: SpecFileInput = {
  parsed: parseSpecFile(
    'tools/agent-tasks.yaml',
    'tasks:\n  - id: t\n    prompt: p\n    forEach: { projects: "tag:lib" }\n  - id: f\n    prompt: p\n    forEach: { files: "src/*.ts" }\n',
  ),
  project: { name: 'tools', root: 'tools', inferred: false },
};

describe('readForEachFacts', () => {
  it('reads project names and tags where Nx reads them, and the files of each template glob', () => {
    const { root, glob } = workspace({
      'libs/a/project.json': JSON.stringify({ name: 'lib-a', tags: ['lib'] }),
      'libs/b/package.json': JSON.stringify({ name: '@scope/b', nx: { tags: ['lib', 'ui'] } }),
      'libs/broken/project.json': '{ not json',
      'package.json': JSON.stringify({ name: 'root' }),
      'tools/project.json': JSON.stringify({ name: 'tools' }),
      'tools/src/one.ts': '',
      'tools/src/two.ts': '',
    });
    const facts = readForEachFacts(root, [TEMPLATE], glob);
    expect([...facts.projects].sort((x, y) => x.root.localeCompare(y.root))).toEqual([
      { name: 'lib-a', root: 'libs/a', tags: ['lib'] },
      { name: '@scope/b', root: 'libs/b', tags: ['lib', 'ui'] },
      { name: 'broken', root: 'libs/broken', tags: [] },
      { name: 'tools', root: 'tools', tags: [] },
    ]);
    expect(facts.filesByGlob.get('tools/src/*.ts')).toEqual(['tools/src/one.ts', 'tools/src/two.ts']);
  });

  it('never throws: a failing file index leaves the templates without items', () => {
    const facts = readForEachFacts('/nowhere', [TEMPLATE], () => {
      throw new Error('index unavailable');
    });
    expect(facts.filesByGlob.get('tools/src/*.ts')).toEqual([]);
    expect(facts.projects).toEqual([{ name: 'tools', root: 'tools', tags: [] }]);
  });

  it("names a file worker's project so as not to take a project's name, with no project template in sight (the root's name too)", () => {
    const fileOnly: SpecFileInput = {
      parsed: parseSpecFile('tools/agent-tasks.yaml', 'tasks:\n  - id: f\n    prompt: p\n    forEach: { files: "src/*.ts" }\n'),
      project: { name: 'tools', root: 'tools', inferred: false },
    };
    const { root, glob } = workspace({
      'package.json': JSON.stringify({ name: 'tools--f--src-two.ts' }),
      'libs/a/project.json': JSON.stringify({ name: 'tools--f--src-one.ts' }),
      'tools/project.json': JSON.stringify({ name: 'tools' }),
      'tools/src/one.ts': '',
      'tools/src/two.ts': '',
      'tools/src/three.ts': '',
    });
    const facts = readForEachFacts(root, [fileOnly], glob);
    expect([...(facts.takenNames ?? [])].sort()).toEqual(['tools', 'tools--f--src-one.ts', 'tools--f--src-two.ts']);
    const names = expandForEach([fileOnly], facts)
      .slice(1)
      .map((input) => input.project.name)
      .sort();
    expect(names).toEqual([
      expect.stringMatching(/^tools--f--src-one\.ts-[0-9a-f]{8}$/),
      'tools--f--src-three.ts',
      expect.stringMatching(/^tools--f--src-two\.ts-[0-9a-f]{8}$/),
    ]);
  });

  it('reads nothing when no task fans out', () => {
    const plain: SpecFileInput = { parsed: parseSpecFile('tools/agent-tasks.yaml', 'tasks:\n  - id: t\n    prompt: p\n'), project: TEMPLATE.project };
    const facts = readForEachFacts('/nowhere', [plain], () => {
      throw new Error('must not be asked');
    });
    expect(facts).toEqual({ projects: [], filesByGlob: new Map() });
  });
});
