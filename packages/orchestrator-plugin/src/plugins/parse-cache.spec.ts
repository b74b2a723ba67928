import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setUpPluginWorkspace } from '../testing/plugin-workspace';
import * as parseSpecFileModule from '../task-spec/parse-spec-file';
import { ParseCache } from './parse-cache';

const { plugin, dataDirectory, createWorkspace } = setUpPluginWorkspace();
const { createNodes } = plugin;

/** The one cache file the plugin keeps in the workspace data directory. */
function cacheFile(): string {
  const names = readdirSync(dataDirectory).filter((name) => name.startsWith('nx-agent-orchestrator-specs-'));
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/^nx-agent-orchestrator-specs-.+\.json$/);
  return join(dataDirectory, names[0]);
}

const readCache = () => JSON.parse(readFileSync(cacheFile(), 'utf8')) as Record<string, { hash: string; parsed: { file: string } }>;
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

const FILES = {
  'apps/api/project.json': '{ "name": "api" }',
  'apps/api/a.agent.md': '---\nid: a\n---\nDo a.\n',
  'apps/api/b.agent.md': '---\ndependsOn: [a]\n---\nDo b.\n',
  'apps/api/agent-tasks.yaml': 'tasks:\n  - id: c\n    prompt: Do c.\n',
};
const SPEC_FILES = ['apps/api/a.agent.md', 'apps/api/agent-tasks.yaml', 'apps/api/b.agent.md'];

describe('the parse cache of createNodes', () => {
  let parse: jest.SpyInstance;
  let root: string;
  const infer = (files = SPEC_FILES) => createNodes[1](files, {}, { workspaceRoot: root, nxJsonConfiguration: {} });

  beforeEach(() => {
    for (const name of readdirSync(dataDirectory)) unlinkSync(join(dataDirectory, name));
    root = createWorkspace(FILES);
    parse = jest.spyOn(parseSpecFileModule, 'parseSpecFile');
  });
  afterEach(() => jest.restoreAllMocks());

  it('parses each file once, then serves unchanged files from disk', async () => {
    const first = await infer();
    expect(parse.mock.calls.map(([file]) => file)).toEqual(SPEC_FILES);
    expect(readCache()).toEqual({
      'apps/api/a.agent.md': { hash: sha1(FILES['apps/api/a.agent.md']), parsed: expect.objectContaining({ file: 'apps/api/a.agent.md' }) },
      'apps/api/agent-tasks.yaml': { hash: sha1(FILES['apps/api/agent-tasks.yaml']), parsed: expect.objectContaining({ file: 'apps/api/agent-tasks.yaml' }) },
      'apps/api/b.agent.md': { hash: sha1(FILES['apps/api/b.agent.md']), parsed: expect.objectContaining({ file: 'apps/api/b.agent.md' }) },
    });

    parse.mockClear();
    const second = await infer();
    expect(parse).not.toHaveBeenCalled();
    expect(second).toEqual(first);
  });

  it('parses a changed file again, and only that one', async () => {
    await infer();
    parse.mockClear();
    writeFileSync(join(root, 'apps/api/b.agent.md'), '---\ndependsOn: [a, c]\n---\nDo b.\n');
    const result = await infer();
    expect(parse.mock.calls.map(([file]) => file)).toEqual(['apps/api/b.agent.md']);
    const b = result.find(([file]) => file === 'apps/api/b.agent.md')![1];
    expect(b.projects!['apps/api'].targets!['agent--b'].dependsOn).toEqual(['agent--a', 'agent--c']);
  });

  it('drops a deleted file from the cache file', async () => {
    await infer();
    unlinkSync(join(root, 'apps/api/agent-tasks.yaml'));
    await infer(['apps/api/a.agent.md', 'apps/api/b.agent.md']);
    expect(Object.keys(readCache())).toEqual(['apps/api/a.agent.md', 'apps/api/b.agent.md']);
  });

  it.each([
    ['not JSON', '{"apps/api/a.agent.md": {"hash"'],
    ['JSON null', 'null'],
    ['a JSON list', '[1, 2]'],
  ])('ignores a cache file that is %s and parses everything', async (_, content) => {
    await infer();
    writeFileSync(cacheFile(), content);
    parse.mockClear();
    const result = await infer();
    expect(parse).toHaveBeenCalledTimes(3);
    expect(result).toHaveLength(3);
    expect(Object.keys(readCache())).toHaveLength(3);
  });

  it('does not trust an entry whose hash does not match the file', async () => {
    await infer();
    const cache = readCache();
    cache['apps/api/a.agent.md'].hash = sha1('something else');
    writeFileSync(cacheFile(), JSON.stringify(cache));
    parse.mockClear();
    await infer();
    expect(parse.mock.calls.map(([file]) => file)).toEqual(['apps/api/a.agent.md']);
  });
});

describe('ParseCache', () => {
  it('writes only the entries used since it was read, atomically (no temporary file left)', () => {
    const folder = createWorkspace({});
    const path = join(folder, 'nested', 'cache.json');
    const parsed = (file: string) => ({ file, format: 'agent-md' as const, tasks: [], problems: [] });

    const first = new ParseCache(path);
    first.get('x.agent.md', 'x', () => parsed('x.agent.md'));
    first.get('y.agent.md', 'y', () => parsed('y.agent.md'));
    first.save();

    const second = new ParseCache(path);
    const parse = jest.fn(() => parsed('y.agent.md'));
    expect(second.get('y.agent.md', 'y', parse)).toEqual(parsed('y.agent.md'));
    expect(parse).not.toHaveBeenCalled();
    second.save();
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8')))).toEqual(['y.agent.md']);
    expect(readdirSync(dirname(path))).toEqual(['cache.json']);
  });
});
