import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each<{ value: string | number; expected: number | undefined }>([
    { value: '15m', expected: 900_000 },
    { value: '90s', expected: 90_000 },
    { value: '1h30m', expected: 5_400_000 },
    { value: '1h30m15s', expected: 5_415_000 },
    { value: '500ms', expected: 500 },
    { value: '1m500ms', expected: 60_500 },
    { value: '1.5s', expected: 1_500 },
    { value: '2h', expected: 7_200_000 },
    { value: ' 15m ', expected: 900_000 },
    { value: '90', expected: 90_000 },
    { value: '0.25', expected: 250 },
    { value: 90, expected: 90_000 },
    { value: 0.5, expected: 500 },
    { value: 0, expected: 0 },
    { value: 'soon', expected: undefined },
    { value: '', expected: undefined },
    { value: '15 m', expected: undefined },
    { value: '15M', expected: undefined },
    { value: '1h30', expected: undefined },
    { value: '15min', expected: undefined },
    { value: '-5s', expected: undefined },
    { value: '-5', expected: undefined },
    { value: -5, expected: undefined },
    { value: Number.NaN, expected: undefined },
    { value: Number.POSITIVE_INFINITY, expected: undefined },
  ])('$value -> $expected', ({ value, expected }) => {
    expect(parseDuration(value)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each<{ milliseconds: number; expected: string }>([
    { milliseconds: 0, expected: '0ms' },
    { milliseconds: 850, expected: '850ms' },
    { milliseconds: 999.4, expected: '999ms' },
    // Rounding must carry into the next unit, not print 1000ms, 60.0s or 1m60s.
    { milliseconds: 999.6, expected: '1.0s' },
    { milliseconds: 1_000, expected: '1.0s' },
    { milliseconds: 12_345, expected: '12.3s' },
    { milliseconds: 59_940, expected: '59.9s' },
    { milliseconds: 59_960, expected: '1m00s' },
    { milliseconds: 60_000, expected: '1m00s' },
    { milliseconds: 245_000, expected: '4m05s' },
    { milliseconds: 119_999, expected: '2m00s' },
    { milliseconds: 5_400_000, expected: '90m00s' },
  ])('$milliseconds -> $expected', ({ milliseconds, expected }) => {
    expect(formatDuration(milliseconds)).toBe(expected);
  });
});
