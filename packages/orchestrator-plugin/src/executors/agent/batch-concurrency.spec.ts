import { batchConcurrency } from './batch-concurrency';

describe('batchConcurrency', () => {
  const original = process.env.NX_PARALLEL;
  afterEach(() => {
    if (original === undefined) delete process.env.NX_PARALLEL;
    else process.env.NX_PARALLEL = original;
  });

  it.each([
    { name: '--parallel=6', argv: ['node', 'nx', 'run-many', '-t', 'agent', '--parallel=6'], nxJson: undefined, expected: 6 },
    { name: '--parallel 4', argv: ['node', 'nx', 'run-many', '--parallel', '4', '-t', 'agent'], nxJson: undefined, expected: 4 },
    { name: '--parallel alone is Nx default 3', argv: ['node', 'nx', 'run-many', '--parallel', '-t', 'agent'], nxJson: 8, expected: 3 },
    { name: '--parallel=false runs one at a time', argv: ['nx', '--parallel=false'], nxJson: undefined, expected: 1 },
    { name: '--maxParallel=5', argv: ['nx', '--maxParallel=5'], nxJson: undefined, expected: 5 },
    { name: 'no flag: nx.json parallel', argv: ['nx', 'run-many', '-t', 'agent'], nxJson: 7, expected: 7 },
    { name: 'no flag, no nx.json: 3', argv: ['nx', 'run-many'], nxJson: undefined, expected: 3 },
    { name: 'parent unreadable: nx.json', argv: undefined, nxJson: 2, expected: 2 },
  ])('$name -> $expected', ({ argv, nxJson, expected }) => {
    delete process.env.NX_PARALLEL;
    expect(batchConcurrency(nxJson, () => argv)).toBe(expected);
  });

  it('NX_PARALLEL wins over the command line', () => {
    process.env.NX_PARALLEL = '9';
    expect(batchConcurrency(2, () => ['nx', '--parallel=4'])).toBe(9);
  });
});
