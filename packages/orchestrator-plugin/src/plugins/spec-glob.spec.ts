import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { minimatch } from 'minimatch';
import { isSpecFile } from '../task-spec/parse-spec-file';

// Loading the plugin loads Nx's cache-directory module, which settles its data directories at once.
const dataDirectory = mkdtempSync(join(tmpdir(), 'agent-plugin-data-'));
process.env.NX_WORKSPACE_DATA_DIRECTORY = dataDirectory;
const { SPEC_GLOB } = require('./plugin') as typeof import('./plugin');
afterAll(() => {
  delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  rmSync(dataDirectory, { recursive: true, force: true });
});

describe('SPEC_GLOB', () => {
  it.each([
    'write-api.agent.md',
    'apps/api/tasks/write-api.agent.md',
    'apps/api/agent-tasks.json',
    'agent-tasks.yaml',
    'libs/ui/agent-tasks.yml',
    'docs/specs/checkout/03-tasks.json',
    'a/b/c/d/e/1.agent.md',
  ])('matches %s, which the parser reads', (file) => {
    expect(minimatch(file, SPEC_GLOB)).toBe(true);
    expect(isSpecFile(file)).toBe(true);
  });

  it.each([
    'apps/api/README.md',
    'apps/api/agent.md',
    'apps/api/write.agent.mdx',
    'apps/api/write.agent.md.bak',
    'apps/api/my-agent-tasks.json',
    'apps/api/agent-tasks.json5',
    'apps/api/agent-tasks.toml',
    'apps/api/03-tasks.yaml',
    'apps/api/103-tasks.json',
    'apps/api/02-tasks.json',
    'apps/api/agent-tasks.json/inner.txt',
  ])('does not match %s, which the parser does not read', (file) => {
    expect(minimatch(file, SPEC_GLOB)).toBe(false);
    expect(isSpecFile(file)).toBe(false);
  });

  it('keeps the alternation flat (Nx glob engine has no nested braces)', () => {
    expect(SPEC_GLOB.match(/\{/g)).toHaveLength(1);
  });
});
