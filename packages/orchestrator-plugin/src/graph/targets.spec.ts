import { toProjectPattern } from './targets';

describe('toProjectPattern', () => {
  it.each([
    ['docs/api.md', '{projectRoot}/docs/api.md'],
    ['./docs/api.md', '{projectRoot}/docs/api.md'],
    ['src/**/*.ts', '{projectRoot}/src/**/*.ts'],
    ['{projectRoot}/docs/api.md', '{projectRoot}/docs/api.md'],
    ['{workspaceRoot}/AGENTS.md', '{workspaceRoot}/AGENTS.md'],
    ['!docs/secret.md', '!{projectRoot}/docs/secret.md'],
    ['!./docs/secret.md', '!{projectRoot}/docs/secret.md'],
    ['!{workspaceRoot}/tmp/**', '!{workspaceRoot}/tmp/**'],
  ])('%s -> %s', (pattern, expected) => {
    expect(toProjectPattern(pattern)).toBe(expected);
  });
});
