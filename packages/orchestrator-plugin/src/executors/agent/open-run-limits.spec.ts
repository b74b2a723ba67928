import type { RunRecord } from '../../runs/run-record';
import { expectedSpend } from './open-run-limits';

const record = (costUsd: number | null, input: number, output: number) => ({ costUsd, tokens: { input, output } }) as RunRecord;

describe('expectedSpend', () => {
  it.each([
    ['never ran, no limits', {}, undefined, undefined],
    ['never ran, with maxCost', { maxCost: 0.5 }, undefined, { costUsd: 0.5 }],
    ['its last run', {}, record(0.2, 1_000, 200), { costUsd: 0.2, tokens: 1_200 }],
    ['its last run, capped by its limits', { maxCost: 0.1, maxTokens: 500 }, record(0.2, 1_000, 200), { costUsd: 0.1, tokens: 500 }],
    ['a last run of unknown cost', {}, record(null, 10, 5), { tokens: 15 }],
    ['a last "run" the budget skipped: as if it never ran', { maxCost: 0.5 }, { ...record(0, 0, 0), status: 'skipped' } as RunRecord, { costUsd: 0.5 }],
  ])('%s', (_name, task, previous, expected) => expect(expectedSpend(task, previous)).toEqual(expected));
});
