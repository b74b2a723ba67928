import type { RunRecord } from '../../runs/run-record';
import { decideStandIn, standInTasks, withStandIn, type StandInRequest } from './stand-in';

const RUN = 'run-7';

function analysisRecord(fields: Partial<RunRecord> = {}): RunRecord {
  return {
    schemaVersion: 1,
    project: 'shop',
    task: 'plan',
    spec: 'apps/shop/agent-tasks.json',
    status: 'succeeded',
    agent: 'scripted',
    provider: 'scripted',
    model: '',
    attempts: 1,
    turns: 1,
    tokens: { input: 1, output: 1 },
    costUsd: 0,
    costSource: 'price-table',
    startedAt: '2026-12-02T10:00:00.000Z',
    endedAt: '2026-12-02T10:00:01.000Z',
    durationMs: 1000,
    summary: 'plan',
    filesWritten: [],
    upstream: [],
    produced: { file: 'apps/shop/plan/agent-tasks.json', project: 'shop--plan', runId: RUN, tasks: ['schema', 'api'] },
    ...fields,
  };
}

const produced = (fields: Partial<StandInRequest>): StandInRequest => ({
  taskId: 'shop--plan:agent--api',
  task: 'api',
  producedBy: 'shop:plan',
  analysisTaskId: 'shop:agent--plan',
  standIns: [],
  runId: RUN,
  analysisRecord: analysisRecord(),
  ...fields,
});

describe('decideStandIn', () => {
  const rows: Array<{ name: string; request: StandInRequest; expected: RegExp | 'run' }> = [
    {
      name: 'an analysis task in its own nested run does nothing',
      request: { taskId: 'shop:agent--plan', task: 'plan', standIns: ['shop:agent--plan'], runId: RUN },
      expected: /^shop:agent--plan stands in for the analysis running in the parent nx/,
    },
    { name: 'an ordinary task runs', request: { taskId: 'shop:agent--plan', task: 'plan', standIns: [], runId: RUN }, expected: 'run' },
    { name: 'a produced task inside the nested run of its analysis runs', request: produced({ standIns: ['shop:agent--plan'] }), expected: 'run' },
    {
      name: "the parent's copy of a produced task after the nested run does nothing",
      request: produced({}),
      expected: /^shop--plan:agent--api already ran in this invocation, in the nested run of shop:agent--plan over apps\/shop\/plan\/agent-tasks.json/,
    },
    {
      name: "the parent's copy of a task the new list dropped says so",
      request: produced({ taskId: 'shop--plan:agent--ui', task: 'ui' }),
      expected: /^shop--plan:agent--ui is no longer in apps\/shop\/plan\/agent-tasks.json/,
    },
    { name: 'a produced task of an analysis that ran in an earlier invocation runs', request: produced({ runId: 'run-8' }), expected: 'run' },
    { name: 'a produced task whose analysis has no record runs', request: produced({ analysisRecord: undefined }), expected: 'run' },
    {
      name: 'a produced task whose analysis failed runs (Nx skips it anyway)',
      request: produced({ analysisRecord: analysisRecord({ status: 'failed' }) }),
      expected: 'run',
    },
    { name: 'a record without the produced marker runs', request: produced({ analysisRecord: analysisRecord({ produced: undefined }) }), expected: 'run' },
  ];
  it.each(rows)('$name', ({ request, expected }) => {
    const decision = decideStandIn(request);
    if (expected === 'run') expect(decision).toEqual({ run: true });
    else expect(decision).toEqual({ run: false, line: expect.stringMatching(expected) });
  });
});

describe('the stand-in list', () => {
  it('grows by one Nx task id per nesting level, and reads nothing from a value that is not a JSON list', () => {
    const outer = withStandIn({}, 'shop:agent--plan');
    expect(standInTasks({ NX_AGENTS_STAND_IN: outer })).toEqual(['shop:agent--plan']);
    const inner = withStandIn({ NX_AGENTS_STAND_IN: outer }, 'shop--plan:agent--deeper');
    expect(standInTasks({ NX_AGENTS_STAND_IN: inner })).toEqual(['shop:agent--plan', 'shop--plan:agent--deeper']);
    expect(standInTasks({ NX_AGENTS_STAND_IN: 'shop:agent--plan' })).toEqual([]);
    expect(standInTasks({ NX_AGENTS_STAND_IN: '{"a":1}' })).toEqual([]);
    expect(standInTasks({})).toEqual([]);
  });
});
