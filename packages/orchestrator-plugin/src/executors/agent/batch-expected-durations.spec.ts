import { batchExpectedDurations } from './batch-expected-durations';

describe('batchExpectedDurations', () => {
  it('prefers the last successful run, then the script, then the profile, then the batch', () => {
    const expected = batchExpectedDurations([
      { task: 'a:ran', agent: 'coder', lastSucceededMs: 40_000, scriptMs: 2_000 },
      { task: 'a:also-ran', agent: 'coder', lastSucceededMs: 60_000 },
      { task: 'a:scripted', agent: 'scripted', scriptMs: 3_000 },
      { task: 'a:new-coder', agent: 'coder' },
      { task: 'a:new-reviewer', agent: 'reviewer' },
    ]);
    expect(expected).toEqual({
      'a:ran': { ms: 40_000, source: 'last-run' },
      'a:also-ran': { ms: 60_000, source: 'last-run' },
      'a:scripted': { ms: 3_000, source: 'script' },
      'a:new-coder': { ms: 50_000, source: 'profile' },
      // Median of 40 s, 60 s and 3 s.
      'a:new-reviewer': { ms: 40_000, source: 'batch' },
    });
  });

  it('weighs every task the same when nothing is known', () => {
    expect(batchExpectedDurations([{ task: 'x' }, { task: 'y', agent: 'coder' }])).toEqual({
      x: { ms: 1, source: 'none' },
      y: { ms: 1, source: 'none' },
    });
  });

  it('does not take a script duration as the profile history', () => {
    const expected = batchExpectedDurations([
      { task: 'a', agent: 'coder', scriptMs: 1_000 },
      { task: 'b', agent: 'coder', lastSucceededMs: 9_000 },
      { task: 'c', agent: 'coder' },
    ]);
    expect(expected.c).toEqual({ ms: 9_000, source: 'profile' });
  });
});
