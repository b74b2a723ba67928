import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { findPluginOptions } from './plugin-registration';

// A workspace where `nx-agent-orchestrator` (node_modules) and `tools/plugin` are this very package, and `other-plugin` is not.
const OWN_PACKAGE = resolve(__dirname, '..', '..');
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'plugin-registration-'));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  mkdirSync(join(root, 'node_modules'), { recursive: true });
  symlinkSync(OWN_PACKAGE, join(root, 'node_modules', 'nx-agent-orchestrator'));
  mkdirSync(join(root, 'tools'), { recursive: true });
  symlinkSync(OWN_PACKAGE, join(root, 'tools', 'plugin'));
  write('node_modules/other-plugin/package.json', '{ "name": "other-plugin", "main": "index.js" }');
  write('node_modules/other-plugin/index.js', '');
  // A package that merely ends with the plugin's name is not the plugin.
  write('node_modules/@fork/nx-agent-orchestrator/package.json', '{ "name": "@fork/nx-agent-orchestrator", "main": "index.js" }');
  write('node_modules/@fork/nx-agent-orchestrator/index.js', '');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findPluginOptions', () => {
  it.each<[string, Parameters<typeof findPluginOptions>[1], string, unknown]>([
    ['the package name', [{ plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'a' } }], 'apps/x/t.agent.md', { defaultAgent: 'a' }],
    ['a bare string registration has no options', ['nx-agent-orchestrator'], 'apps/x/t.agent.md', {}],
    ['a local path to the package', [{ plugin: './tools/plugin', options: { defaultAgent: 'local' } }], 'apps/x/t.agent.md', { defaultAgent: 'local' }],
    [
      'another plugin, then this one',
      [
        { plugin: 'other-plugin', options: { x: 1 } },
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'b' } },
      ],
      'a.agent.md',
      { defaultAgent: 'b' },
    ],
    ['a package whose name only ends like this one', [{ plugin: '@fork/nx-agent-orchestrator', options: { defaultAgent: 'fork' } }], 'a.agent.md', undefined],
    ['not registered', [{ plugin: 'other-plugin' }], 'a.agent.md', undefined],
    ['no plugins at all', undefined, 'a.agent.md', undefined],
    [
      'include picks the registration for the file',
      [
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'apps' }, include: ['apps/**'] },
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'libs' }, include: ['libs/**'] },
      ],
      'libs/y/t.agent.md',
      { defaultAgent: 'libs' },
    ],
    [
      'exclude skips a registration',
      [
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'all' } },
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'not-legacy' }, exclude: ['legacy/**'] },
      ],
      'legacy/t.agent.md',
      { defaultAgent: 'all' },
    ],
    [
      'of two that match, the last wins (Nx merges later plugins over earlier ones)',
      [
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'first' } },
        { plugin: 'nx-agent-orchestrator', options: { defaultAgent: 'second' } },
      ],
      'a.agent.md',
      { defaultAgent: 'second' },
    ],
  ])('%s', (_name, plugins, file, expected) => expect(findPluginOptions(root, plugins, file, OWN_PACKAGE)).toEqual(expected));
});
