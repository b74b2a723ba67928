import { buildRunReport, layOutTimeline, type ReportTask } from './run-report';

const task = (name: string, startedAt: number, endedAt: number, extra: Partial<ReportTask> = {}): ReportTask => ({
  task: `app:${name}`,
  outcome: 'ran',
  startedAt,
  endedAt,
  tokens: { input: 10, output: 2 },
  costUsd: 0.01,
  upstream: [],
  ...extra,
});
const totals = {
  ran: 3,
  cached: 1,
  failed: 0,
  skipped: 0,
  spent: { tokens: { input: 30, output: 6 }, costUsd: 0.03, unpricedTasks: 0 },
  saved: { tokens: { input: 10, output: 2 }, costUsd: 0.01, durationMs: 1000 },
};

describe('layOutTimeline', () => {
  // a [0,10) and b [2,5) overlap; c [5,9) fits after b; d [10,12) after a and c.
  const tasks = [task('a', 0, 10), task('b', 2, 5), task('c', 5, 9, { upstream: ['app:b'] }), task('d', 10, 12, { upstream: ['app:a', 'app:c'] })];

  it('puts overlapping tasks in different lanes, first fit: as many lanes as the peak concurrency', () => {
    expect(layOutTimeline(tasks).map((placed) => [placed.task, placed.lane])).toEqual([
      ['app:a', 0],
      ['app:b', 1],
      ['app:c', 1],
      ['app:d', 0],
    ]);
  });

  it('marks the chain that decided the end: back from the last task through the upstream that ended last', () => {
    expect(
      layOutTimeline(tasks)
        .filter((placed) => placed.critical)
        .map((placed) => placed.task),
    ).toEqual(['app:a', 'app:d']);
  });

  it('leaves tasks without times (skipped) off the timeline', () => {
    expect(layOutTimeline([task('a', 0, 1), { ...task('s', 0, 0), startedAt: undefined, endedAt: undefined, outcome: 'skipped' }])).toHaveLength(1);
  });
});

describe('buildRunReport', () => {
  const html = buildRunReport({
    startedAt: 0,
    endedAt: 12,
    tasks: [
      task('a', 0, 10, { summary: '<script>alert(1)</script> & "quotes"' }),
      task('b', 2, 5, { outcome: 'failed' }),
      task('c', 5, 9, { outcome: 'cached', cache: 'local' }),
    ],
    totals,
  });

  it('is one self-contained page: nothing loaded from anywhere, and a policy that forbids it', () => {
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);
    expect(html).not.toMatch(/<link|@import|url\(/);
  });

  it('has one bar per task, marked by outcome', () => {
    expect(html.match(/<button class="bar/g)).toHaveLength(3);
    expect(html).toContain('class="bar failed');
    expect(html).toContain('class="bar cached"');
  });

  it('escapes what agents wrote', () => {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62; &#38; &#34;quotes&#34;');
  });

  it('puts the totals and what the cache saved at the top', () => {
    expect(html).toContain('<div id="saved"><b>$0.0100</b>saved by the cache: 10 in / 2 out tokens, 1.0s of agent time</div>');
  });
});

describe('buildRunReport, tasks that did not run', () => {
  it('says why the plugin skipped a task (the run budget, with its figures), and only that a task Nx skipped was skipped', () => {
    const notTimed = { startedAt: undefined, endedAt: undefined, outcome: 'skipped' as const };
    const html = buildRunReport({
      startedAt: 0,
      endedAt: 12,
      tasks: [
        task('a', 0, 10),
        { ...task('over', 0, 0), ...notTimed, skipped: { reason: 'budget', details: 'spent $0.31 of $0.30' } },
        { ...task('after-failure', 0, 0), ...notTimed },
      ],
      totals: { ...totals, skipped: 2 },
    });
    expect(html).toContain('Not run: app:over (skipped: budget (spent $0.31 of $0.30)), app:after-failure (skipped)</p>');
    expect(html).toContain('<td>skipped (budget)</td>');
  });
});
