import { readJson, writeJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './init';

/** Every file of the tree with its content, so two states can be compared whole. */
function snapshotTree(tree: Tree, directory = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const child of tree.children(directory)) {
    const path = directory ? `${directory}/${child}` : child;
    if (tree.isFile(path)) files[path] = tree.read(path, 'utf-8') ?? '';
    else Object.assign(files, snapshotTree(tree, path));
  }
  return files;
}

describe('init generator', () => {
  let tree: Tree;

  beforeEach(() => {
    // No formatter: Nx 24 defaults to oxfmt, which is not installed, and the assertions are about exact content.
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  });

  it('registers the plugin with the default options and keeps the rest of nx.json', () => {
    writeJson(tree, 'nx.json', { analytics: false, targetDefaults: { build: { cache: true } } });

    initGenerator(tree, {});

    expect(readJson(tree, 'nx.json')).toEqual({
      analytics: false,
      targetDefaults: { build: { cache: true } },
      plugins: [{ plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'agent--', aggregateTarget: 'agent' } }],
    });
  });

  it('writes the options given as flags, and appends after other plugins', () => {
    writeJson(tree, 'nx.json', { plugins: ['@nx/js/typescript'] });

    initGenerator(tree, { targetPrefix: 'ai-', aggregateTarget: 'agents', defaultAgent: 'claude-code' });

    expect(readJson(tree, 'nx.json').plugins).toEqual([
      '@nx/js/typescript',
      { plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'ai-', aggregateTarget: 'agents', defaultAgent: 'claude-code' } },
    ]);
  });

  it('changes nothing when run a second time with the same options, or none', () => {
    initGenerator(tree, { defaultAgent: 'scripted' });
    const before = snapshotTree(tree);

    initGenerator(tree, { defaultAgent: 'scripted' });
    initGenerator(tree, {});

    expect(snapshotTree(tree)).toEqual(before);
    expect(Object.keys(before)).toContain('nx.json');
  });

  it('run again with new options, updates them and keeps the rest', () => {
    initGenerator(tree, { defaultAgent: 'scripted' });

    initGenerator(tree, { defaultAgent: 'claude-code', targetPrefix: 'ai-' });

    expect(readJson(tree, 'nx.json').plugins).toEqual([
      { plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'ai-', aggregateTarget: 'agent', defaultAgent: 'claude-code' } },
    ]);
  });

  it.each([
    ['a plain string', 'nx-agent-orchestrator', { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'codex' } }],
    [
      'an object with its own options and include',
      { plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'task-' }, include: ['apps/**'] },
      { plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'task-', defaultAgent: 'codex' }, include: ['apps/**'] },
    ],
  ])('updates an existing registration as %s with the options given, and nothing else', (_label, registration, expected) => {
    tree.write('nx.json', JSON.stringify({ analytics: false, plugins: [registration] }));

    initGenerator(tree, { defaultAgent: 'codex' });

    expect(readJson(tree, 'nx.json')).toEqual({ analytics: false, plugins: [expected] });
  });

  it('leaves an existing registration untouched when run without options', () => {
    // Written without indentation on purpose: any rewrite of nx.json would show in the raw text.
    tree.write('nx.json', JSON.stringify({ analytics: false, plugins: [{ plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'task-' } }] }));
    const before = tree.read('nx.json', 'utf-8');

    initGenerator(tree, {});

    expect(tree.read('nx.json', 'utf-8')).toBe(before);
  });

  it.each([
    { name: 'no .gitignore', before: undefined, after: '# nx-agent-orchestrator run records: task outputs, restored from the cache\n.agent-runs\n' },
    {
      name: 'one without a final newline',
      before: 'node_modules',
      after: 'node_modules\n# nx-agent-orchestrator run records: task outputs, restored from the cache\n.agent-runs\n',
    },
    { name: 'one that already ignores them', before: 'dist\n/.agent-runs/\n', after: 'dist\n/.agent-runs/\n' },
  ])('gitignores the run records: $name', ({ before, after }) => {
    if (tree.exists('.gitignore')) tree.delete('.gitignore');
    if (before !== undefined) tree.write('.gitignore', before);

    initGenerator(tree, {});

    expect(tree.read('.gitignore', 'utf-8')).toBe(after);
  });

  it('creates nx.json when the workspace has none', () => {
    tree.delete('nx.json');

    initGenerator(tree, {});

    expect(readJson(tree, 'nx.json')).toEqual({
      plugins: [{ plugin: 'nx-agent-orchestrator', options: { targetPrefix: 'agent--', aggregateTarget: 'agent' } }],
    });
  });

  it.each([
    [{ targetPrefix: '' }, '--targetPrefix "" is not a usable target name'],
    [{ aggregateTarget: 'run all' }, '--aggregateTarget "run all" is not a usable target name'],
    [{ aggregateTarget: 'agent--all' }, '--aggregateTarget "agent--all" starts with --targetPrefix "agent--"'],
  ])('rejects %j', (options, message) => {
    expect(() => initGenerator(tree, options)).toThrow(message);
    expect(readJson(tree, 'nx.json').plugins).toBeUndefined();
  });
});
