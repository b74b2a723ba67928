import { BoundedOutput, CHARACTERS_PER_TOKEN } from './bounded-output';

function collect(maxTokens: number, lines: string[]) {
  const output = new BoundedOutput(maxTokens);
  for (const line of lines) output.push(line);
  return output.result();
}

describe('BoundedOutput', () => {
  it('keeps everything that fits', () => {
    expect(collect(100, ['FAIL src/a.spec.ts', '  expected 1, got 2'])).toEqual({ text: 'FAIL src/a.spec.ts\n  expected 1, got 2', omittedLines: 0 });
  });

  it('keeps the head and the tail within the cap and says how many lines it left out', () => {
    const lines = Array.from({ length: 10_000 }, (_, index) => `line ${index}`);
    const result = collect(200, lines);
    expect(result.text.length).toBeLessThanOrEqual(200 * CHARACTERS_PER_TOKEN + 40);
    expect(result.text.startsWith('line 0\nline 1\n')).toBe(true);
    expect(result.text.endsWith('line 9998\nline 9999')).toBe(true);
    const kept = result.text.split('\n').filter((line) => line.startsWith('line '));
    expect(result.omittedLines).toBe(10_000 - kept.length);
    expect(result.text).toContain(`[... ${result.omittedLines} lines omitted ...]`);
  });

  it('drops colour codes and carriage-return redraws', () => {
    expect(collect(100, ['\u001b[31mFAIL\u001b[39m a', 'progress 10%\rprogress 50%\rprogress 100%']).text).toBe('FAIL a\nprogress 100%');
  });

  it('keeps the end of one line longer than the cap', () => {
    const result = collect(50, [`${'x'.repeat(1_000)}THE END`]);
    expect(result.text.length).toBeLessThanOrEqual(50 * CHARACTERS_PER_TOKEN);
    expect(result.text).toMatch(/^\[\d+ characters cut\] x*THE END$/);
  });
});
