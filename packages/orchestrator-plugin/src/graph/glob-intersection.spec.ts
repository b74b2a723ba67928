import fc from 'fast-check';
import { minimatch } from 'minimatch';
import { GlobIndex } from './glob-index';
import { globIntersection, parseGlob } from './glob-intersection';

const matchesBoth = (path: string, first: string, second: string) => covers(first, path) && covers(second, path);
/** A literal pattern covers its path and everything below it; a glob what minimatch says. */
const covers = (pattern: string, path: string) =>
  minimatch(path, pattern, { dot: true }) || (!/[*?[\]{}()!+@]/.test(pattern) && path.startsWith(`${pattern}/`));

describe('globIntersection', () => {
  const overlapping: Array<[string, string]> = [
    ['src/**', 'src/api/index.ts'],
    ['src/**/*.ts', 'src/*/index.*'],
    ['src/*.ts', 'src/a*.ts'],
    ['apps/api/src/api/**', 'apps/api/src'],
    ['apps/api/dist', 'apps/api/dist/main.js'],
    ['**/*.md', 'docs/**'],
    ['src/{a,b}/*.ts', 'src/b/x.*'],
    ['src/[a-c]*.ts', 'src/b?.ts'],
    ['src/[!x]*', 'src/y*'],
    ['**', 'anything/at/all'],
    ['src/+(a|b).ts', 'src/c.ts'],
  ];
  it.each(overlapping)('%s and %s overlap, with a path both match', (first, second) => {
    const witness = globIntersection(first, second);
    expect(witness).toBeDefined();
    // Extglobs are read conservatively: the witness is only checked where the reading is exact.
    if (!first.includes('(')) expect({ witness, both: matchesBoth(witness!, first, second) }).toEqual({ witness, both: true });
  });

  const apart: Array<[string, string]> = [
    ['src/api/**', 'src/ui/**'],
    ['src/*.ts', 'src/*.js'],
    ['src/*.ts', 'src/a/b.ts'],
    ['apps/api/dist', 'apps/api/distribution'],
    ['docs/*.md', 'docs/**/*.txt'],
    ['src/{a,b}/*.ts', 'src/c/*.ts'],
    ['src/[a-c]*.ts', 'src/[x-z]*.ts'],
    ['src/a?.ts', 'src/abc.ts'],
    ['libs/one/**', 'libs/one-more/**'],
  ];
  it.each(apart)('%s and %s do not overlap', (first, second) => {
    expect(globIntersection(first, second)).toBeUndefined();
  });

  // Small alphabets so that random patterns and paths meet often.
  const name = fc.stringMatching(/^[ab]{1,3}$/);
  const globSegment = fc.oneof(name, fc.constantFrom('*', '**', 'a*', '*b', '?', '[ab]', 'a?b', '[!a]*'));
  const pattern = fc.array(globSegment, { minLength: 1, maxLength: 4 }).map((segments) => segments.join('/'));
  // Every path of up to three segments over the same alphabet: 258 paths.
  const names = ['a', 'b', 'aa', 'ab', 'ba', 'bb'];
  const paths = names.flatMap((one) => [one, ...names.flatMap((two) => [`${one}/${two}`, ...names.map((three) => `${one}/${two}/${three}`)])]);

  it('never misses an overlap: when some path matches both patterns, they intersect', () => {
    fc.assert(
      fc.property(pattern, pattern, (first, second) => {
        const shared = paths.find((sample) => matchesBoth(sample, first, second));
        return shared === undefined || globIntersection(first, second) !== undefined;
      }),
      { numRuns: 600 },
    );
  });

  it('never invents one: every overlap it reports comes with a path both patterns match', () => {
    fc.assert(
      fc.property(pattern, pattern, (first, second) => {
        const witness = globIntersection(first, second);
        return witness === undefined || matchesBoth(witness, first, second);
      }),
      { numRuns: 3000 },
    );
  });

  it('the index never leaves out a pattern that overlaps the one looked up', () => {
    fc.assert(
      fc.property(fc.array(pattern, { minLength: 1, maxLength: 12 }), pattern, (filed, looked) => {
        const index = new GlobIndex<number>();
        filed.forEach((entry, position) => index.add(position, parseGlob(entry)));
        const candidates = index.candidates(parseGlob(looked));
        return filed.every((entry, position) => globIntersection(entry, looked) === undefined || candidates.has(position));
      }),
      { numRuns: 500 },
    );
  });
});
