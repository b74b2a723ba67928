import { createWriteScope, resolveWritePatterns } from './write-scope';

describe('createWriteScope', () => {
  it.each([
    [['apps/api/src/**'], 'apps/api/src/index.ts', true],
    [['apps/api/src/**'], 'apps/api/src/deep/er/.hidden', true],
    [['apps/api/src/**'], 'apps/api/README.md', false],
    [['apps/api/src/**'], 'apps/api/src2/x.ts', false],
    [['apps/api/src'], 'apps/api/src/x.ts', true],
    [['apps/api/src'], 'apps/api/src', true],
    [['apps/api/src'], 'apps/api/srcx', false],
    [['docs/api.md'], 'docs/api.md', true],
    [['docs/api.md'], 'docs/api.md.bak', false],
    [['apps/*/generated'], 'apps/web/generated/types.ts', true],
    [['apps/api/{a,b}'], 'apps/api/b/file.ts', true],
    [['apps/api/{a,b}'], 'apps/api/c/file.ts', false],
    [['apps/api/**/*.ts'], 'apps/api/src/x.ts', true],
    [['apps/api/**/*.ts'], 'apps/api/src/x.js', false],
    [['apps/api/**', '!apps/api/secrets/**'], 'apps/api/secrets/key.pem', false],
    [['apps/api/**', '!apps/api/secrets/**'], 'apps/api/main.ts', true],
    [['./apps//api/'], 'apps/api/main.ts', true],
    [[''], 'anything/at/all', true],
    [[], 'apps/api/main.ts', false],
  ])('%j includes %s: %s', (patterns, path, expected) => {
    expect(createWriteScope(patterns).includes(path)).toBe(expected);
  });

  it('names the folders the scope cannot leave', () => {
    expect(createWriteScope(['apps/api/src/**', 'docs/api.md', 'apps/*/gen', '!apps/api/src/x', '**/*.snap']).folders).toEqual([
      '',
      'apps',
      'apps/api/src',
      'docs/api.md',
    ]);
  });
});

describe('resolveWritePatterns', () => {
  it('reads {workspaceRoot}, {projectRoot} and bare paths as the graph does', () => {
    expect(resolveWritePatterns(['{projectRoot}/src/**', 'docs/x.md', './y', '{workspaceRoot}/shared/z', '!{projectRoot}/src/gen/**'], 'apps/api')).toEqual([
      'apps/api/src/**',
      'apps/api/docs/x.md',
      'apps/api/y',
      'shared/z',
      '!apps/api/src/gen/**',
    ]);
    expect(resolveWritePatterns(['{projectRoot}/src/**', 'x'], '.')).toEqual(['src/**', 'x']);
  });
});
