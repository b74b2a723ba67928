import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The plugin as a spec file loaded it, and a way to make real workspace folders for it. */
export interface PluginWorkspace {
  plugin: typeof import('../plugins/plugin');
  /** Where this spec file's parse cache lives, for tests that look at the cache file. */
  dataDirectory: string;
  /** A real workspace folder with these files (objects are written as JSON), removed after all tests. */
  createWorkspace(files: Record<string, string | object>): string;
}

/**
 * Loads the plugin with a workspace data directory (where its parse cache lives) of the calling
 * spec file's own, so no spec file sees another's cache. Nx fixes that directory when its module
 * is first loaded, so call this at the top of the spec file, before anything imports the plugin
 * or Nx: the plugin is required here, after the variable is set, and jest gives every spec file
 * its own module registry. Registers an `afterAll` that removes the data directory and every
 * workspace folder made.
 */
export function setUpPluginWorkspace(): PluginWorkspace {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'agent-plugin-data-'));
  process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDirectory;
  const plugin = require('../plugins/plugin') as typeof import('../plugins/plugin');

  const workspaces: string[] = [];
  afterAll(() => {
    delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
    for (const folder of [dataDirectory, ...workspaces]) rmSync(folder, { recursive: true, force: true });
  });

  return {
    plugin,
    dataDirectory,
    createWorkspace(files) {
      const root = mkdtempSync(join(tmpdir(), 'agent-plugin-'));
      workspaces.push(root);
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content));
      }
      return root;
    },
  };
}
