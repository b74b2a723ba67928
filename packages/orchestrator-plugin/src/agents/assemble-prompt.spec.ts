import { assemblePrompt, PROMPT_LIMITS, type UpstreamSummary } from './assemble-prompt';

const HEADING = '## Results of the tasks this one depends on';
const TRUNCATED = '\n[... truncated]';
const LEFT_OUT = '(summary left out: the handoff size limit was reached)';

describe('assemblePrompt', () => {
  it.each<[string, string, string[], UpstreamSummary[], string]>([
    ['the prompt alone, trimmed', '  Do the thing.\n\n', [], [], 'Do the thing.'],
    [
      'context files are listed',
      'Do it.',
      ['docs/api.md', 'src/a.ts'],
      [],
      'Do it.\n\n## Context files\nRead these before you start:\n- docs/api.md\n- src/a.ts',
    ],
    [
      'upstream summaries follow, in order, each under its task',
      'Build on it.',
      [],
      [
        { task: 'api:design', summary: '  Designed 3 endpoints.  ' },
        { task: 'shared:schema', summary: 'Schema v2.' },
      ],
      `Build on it.\n\n${HEADING}\n\n### api:design\nDesigned 3 endpoints.\n\n### shared:schema\nSchema v2.`,
    ],
    [
      'context files before upstream summaries',
      'P',
      ['a.md'],
      [{ task: 'x:y', summary: 'S' }],
      `P\n\n## Context files\nRead these before you start:\n- a.md\n\n${HEADING}\n\n### x:y\nS`,
    ],
    ['an empty upstream summary says so, not that a limit was hit', 'P', [], [{ task: 'x:y', summary: '  ' }], `P\n\n${HEADING}\n\n### x:y\n(no summary)`],
  ])('%s', (_name, prompt, files, upstream, expected) => {
    expect(assemblePrompt(prompt, files, upstream)).toBe(expected);
  });

  it.each<[string, number, number]>([
    ['a summary at the cap is kept whole', PROMPT_LIMITS.summaryCharacters, PROMPT_LIMITS.summaryCharacters],
    ['a summary over the cap is cut to exactly the cap, with a marker', PROMPT_LIMITS.summaryCharacters + 1, PROMPT_LIMITS.summaryCharacters],
    ['a huge summary too', 100_000, PROMPT_LIMITS.summaryCharacters],
  ])('%s', (_name, length, expectedLength) => {
    const summary = 'a'.repeat(length);
    const section = assemblePrompt('P', [], [{ task: 'x:y', summary }]).split('### x:y\n')[1];
    expect(section).toHaveLength(expectedLength);
    expect(section.endsWith(TRUNCATED)).toBe(length > PROMPT_LIMITS.summaryCharacters);
  });

  it('caps the total handed on: later summaries shrink, then are left out with a note', () => {
    const count = Math.ceil(PROMPT_LIMITS.totalUpstreamCharacters / PROMPT_LIMITS.summaryCharacters) + 2;
    const upstream = Array.from({ length: count }, (_, index) => ({ task: `p:t${index}`, summary: `${index}`.repeat(PROMPT_LIMITS.summaryCharacters - 100) }));
    const prompt = assemblePrompt('P', [], upstream);
    const sections = prompt.split(/\n\n### p:t\d+\n/).slice(1);
    expect(sections).toHaveLength(count);
    const kept = sections.filter((section) => section !== LEFT_OUT);
    expect(kept.join('').length).toBeLessThanOrEqual(PROMPT_LIMITS.totalUpstreamCharacters);
    expect(sections.slice(kept.length).every((section) => section === LEFT_OUT)).toBe(true);
    expect(sections.slice(0, 4).every((section) => !section.endsWith(TRUNCATED))).toBe(true);
    expect(sections[4].endsWith(TRUNCATED)).toBe(true);
    expect(sections[count - 1]).toBe(LEFT_OUT);
  });
});
