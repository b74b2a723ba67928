import { findCycles } from './find-cycles';

/** Edges from `a>b` pairs (a depends on b); every key named becomes a node. */
function edgesOf(...pairs: string[]): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const pair of pairs) {
    const [from, to] = pair.split('>');
    edges.set(from, [...(edges.get(from) ?? []), ...(to ? [to] : [])]);
    if (to && !edges.has(to)) edges.set(to, []);
  }
  return edges;
}

describe('findCycles', () => {
  const rows: Array<{ name: string; edges: Map<string, string[]>; cycles: string[][]; onCycle: string[] }> = [
    { name: 'no edges', edges: edgesOf('p:a', 'p:b'), cycles: [], onCycle: [] },
    { name: 'a chain and a diamond', edges: edgesOf('p:a>p:b', 'p:b>p:c', 'p:a>p:d', 'p:d>p:c'), cycles: [], onCycle: [] },
    { name: 'a self-dependency', edges: edgesOf('p:a>p:a', 'p:b>p:a'), cycles: [['p:a', 'p:a']], onCycle: ['p:a'] },
    { name: 'two tasks', edges: edgesOf('p:b>p:a', 'p:a>p:b'), cycles: [['p:a', 'p:b', 'p:a']], onCycle: ['p:a', 'p:b'] },
    {
      name: 'three tasks, spelled from the smallest key in dependency order',
      edges: edgesOf('p:c>p:a', 'p:a>p:b', 'p:b>p:c', 'p:x>p:c'),
      cycles: [['p:a', 'p:b', 'p:c', 'p:a']],
      onCycle: ['p:a', 'p:b', 'p:c'],
    },
    {
      name: 'the shortest way round through the smallest key, then through the members it misses',
      edges: edgesOf('p:a>p:b', 'p:b>p:c', 'p:c>p:d', 'p:d>p:a', 'p:b>p:a'),
      cycles: [
        ['p:a', 'p:b', 'p:a'],
        ['p:a', 'p:b', 'p:c', 'p:d', 'p:a'],
      ],
      onCycle: ['p:a', 'p:b', 'p:c', 'p:d'],
    },
    {
      name: 'a tangle of two loops: every member is on a reported cycle',
      edges: edgesOf('p:a>p:b', 'p:b>p:a', 'p:b>p:c', 'p:c>p:d', 'p:d>p:c', 'p:d>p:a'),
      cycles: [
        ['p:a', 'p:b', 'p:a'],
        ['p:c', 'p:d', 'p:c'],
      ],
      onCycle: ['p:a', 'p:b', 'p:c', 'p:d'],
    },
    {
      name: 'separate cycles, sorted, across projects',
      edges: edgesOf('web:z>api:y', 'api:y>web:z', 'api:b>api:a', 'api:a>api:b'),
      cycles: [
        ['api:a', 'api:b', 'api:a'],
        ['api:y', 'web:z', 'api:y'],
      ],
      onCycle: ['api:a', 'api:b', 'api:y', 'web:z'],
    },
    { name: 'edges to keys that are not nodes are ignored', edges: new Map([['p:a', ['p:missing', 'p:a']]]), cycles: [['p:a', 'p:a']], onCycle: ['p:a'] },
  ];

  it.each(rows)('$name', ({ edges, cycles, onCycle }) => {
    const result = findCycles(edges);
    expect(result.cycles).toEqual(cycles);
    expect([...result.onCycle].sort()).toEqual(onCycle);
  });

  it('walks a 1,000-task chain without overflowing the stack, and closes a 1,000-task loop', () => {
    const keys = Array.from({ length: 1000 }, (_, index) => `p:t${String(index).padStart(4, '0')}`);
    const chain = new Map(keys.map((key, index) => [key, index + 1 < keys.length ? [keys[index + 1]] : []]));
    expect(findCycles(chain)).toEqual({ cycles: [], onCycle: new Set() });

    const loop = new Map(chain);
    loop.set(keys[999], [keys[0]]);
    const { cycles, onCycle } = findCycles(loop);
    expect(cycles).toEqual([[...keys, keys[0]]]);
    expect(onCycle.size).toBe(1000);
  });

  it('handles a chain deep enough to overflow a recursive walk', () => {
    // `p:0` sorts first, so the walk starts at the head of the chain and goes all the way down.
    const keys = Array.from({ length: 50_000 }, (_, index) => `p:${index}`);
    const chain = new Map(keys.map((key, index) => [key, index + 1 < keys.length ? [keys[index + 1]] : []]));
    expect(findCycles(chain).cycles).toEqual([]);
  });
});
