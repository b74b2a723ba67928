import { join } from 'node:path';
import { PathOutsideError, projectNameProblem, resolveInside, safeSegment } from './path-safety';

describe('safeSegment', () => {
  it.each([
    ['api', 'api'],
    ['1.3', '1.3'],
    ['checkout-redesign', 'checkout-redesign'],
    ['@org', '@org'],
    ['@org/api', '@org%2Fapi'],
    ['..', '%2E.'],
    ['.', '%2E'],
    ['../..', '%2E.%2F..'],
    ['a\\b', 'a%5Cb'],
    ['100%', '100%25'],
    ['src/**', 'src%2F%2A%2A'],
    ['ü', '%C3%BC'],
    ['', '%00'],
  ])('%j -> %j', (name, segment) => expect(safeSegment(name)).toBe(segment));

  it('never yields a separator, a glob character, "." or ".."', () => {
    for (const name of ['..', '.', '/', '\\', '*', '?', '[a]', '{a,b}', '!x', '../../etc', '.hidden', 'a/../b']) {
      const segment = safeSegment(name);
      expect(segment).not.toMatch(/[/\\*?[\]{}!]/);
      expect(['.', '..']).not.toContain(segment);
    }
  });

  it('keeps different names apart (a scoped project and a task of its scope)', () => {
    const names = ['@org/api', '@org', 'api', '@org%2Fapi', '%2E.', '..', 'a b', 'a%20b'];
    expect(new Set(names.map(safeSegment)).size).toBe(names.length);
    expect(join(safeSegment('@org'), safeSegment('api'))).not.toBe(join(safeSegment('@org/api'), safeSegment('x')));
  });
});

describe('projectNameProblem', () => {
  it.each(['api', '@org/api', 'checkout-redesign', 'my.app', '..hidden', 'a..b'])('%j is safe', (name) => expect(projectNameProblem(name)).toBeUndefined());
  it.each([
    ['../..', '".." path segment'],
    ['../../victim', '".." path segment'],
    ['a/./b', '"." or ".."'],
    ['.', '"." or ".."'],
    ['/etc', 'starts with "/"'],
    ['a\\b', 'backslash'],
    ['a\nb', 'control character'],
    ['', 'empty'],
    ['a//b', 'empty path segment'],
    ['a/', 'empty path segment'],
  ])('%j is not: %s', (name, reason) => expect(projectNameProblem(name)).toContain(reason));
});

describe('resolveInside', () => {
  const root = '/work/space';
  it.each([
    ['.agent-runs/api/x', '/work/space/.agent-runs/api/x'],
    ['..hidden/x', '/work/space/..hidden/x'],
    ['a/../b', '/work/space/b'],
  ])('%j stays inside', (path, absolute) => expect(resolveInside(root, path)).toBe(absolute));
  it.each(['..', '../x', 'a/../../x', '/etc/passwd', '/work/spaced/x', '.'])('%j is refused', (path) => {
    expect(() => resolveInside(root, path)).toThrow(PathOutsideError);
  });
  it('accepts the root itself only when asked', () => expect(resolveInside(root, '.', { allowRoot: true })).toBe(root));
});
