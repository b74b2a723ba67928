import { closestMatch, didYouMean } from './closest-match';

const FIELDS = [
  'id',
  'description',
  'agent',
  'model',
  'dependsOn',
  'blockedBy',
  'dependencies',
  'after',
  'inputs',
  'outputs',
  'writes',
  'retries',
  'timeout',
  'cache',
  'script',
];

describe('closestMatch', () => {
  it.each<{ name: string; candidates: string[]; expected: string | undefined }>([
    { name: 'dependson', candidates: FIELDS, expected: 'dependsOn' },
    { name: 'blockedby', candidates: FIELDS, expected: 'blockedBy' },
    { name: 'timout', candidates: FIELDS, expected: 'timeout' },
    { name: 'dependency', candidates: FIELDS, expected: 'dependencies' },
    { name: 'output', candidates: FIELDS, expected: 'outputs' },
    { name: 'modle', candidates: FIELDS, expected: 'model' },
    { name: 'task', candidates: ['tasks'], expected: 'tasks' },
    { name: '1.3', candidates: ['1.1', '1.2', '2.1'], expected: '1.1' },
    { name: 'write-apis', candidates: ['write-api', 'read-api'], expected: 'write-api' },
    // Nothing close: a suggestion would mislead.
    { name: 'colour', candidates: FIELDS, expected: undefined },
    { name: 'x', candidates: FIELDS, expected: undefined },
    { name: 'ab', candidates: ['id'], expected: undefined },
    { name: 'deploy', candidates: ['design-api', 'write-api'], expected: undefined },
    { name: 'anything', candidates: [], expected: undefined },
  ])('$name in $candidates -> $expected', ({ name, candidates, expected }) => {
    expect(closestMatch(name, candidates)).toBe(expected);
  });

  it('breaks ties by name, whatever the order of the candidates', () => {
    expect(closestMatch('ab', ['ac', 'aa'])).toBe('aa');
    expect(closestMatch('ab', ['aa', 'ac'])).toBe('aa');
  });

  it('takes any iterable', () => {
    expect(closestMatch('scrpt', new Set(['script', 'cache']))).toBe('script');
  });
});

describe('didYouMean', () => {
  it.each<{ name: string; candidates: string[]; expected: string }>([
    { name: 'timout', candidates: FIELDS, expected: ' Did you mean "timeout"?' },
    { name: 'colour', candidates: FIELDS, expected: '' },
  ])('$name -> "$expected"', ({ name, candidates, expected }) => {
    expect(didYouMean(name, candidates)).toBe(expected);
  });
});
