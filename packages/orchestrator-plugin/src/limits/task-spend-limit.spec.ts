import { checkTaskSpend } from './task-spend-limit';

describe('checkTaskSpend', () => {
  it.each([
    ['within both limits', { maxCost: 1, maxTokens: 1_000 }, { costUsd: 0.5, tokens: 900 }, {}],
    ['no limits', {}, { costUsd: 50, tokens: 10 ** 7 }, {}],
    ['over maxTokens', { maxTokens: 1_000 }, { costUsd: 0.1, tokens: 1_001 }, { problem: 'used 1001 tokens, more than its maxTokens 1000' }],
    ['over maxCost', { maxCost: 0.5 }, { costUsd: 0.75, tokens: 10 }, { problem: 'spent $0.7500, more than its maxCost $0.50' }],
    [
      'over both',
      { maxCost: 0.5, maxTokens: 5 },
      { costUsd: 0.75, tokens: 10 },
      { problem: 'used 10 tokens, more than its maxTokens 5; spent $0.7500, more than its maxCost $0.50' },
    ],
    [
      'of unknown cost',
      { maxCost: 0.5 },
      { costUsd: null, tokens: 10 },
      { warning: "maxCost $0.50 could not be checked: neither the client nor the price table knows this model's price" },
    ],
  ])('a task %s', (_name, limits, spend, expected) => expect(checkTaskSpend(limits, spend)).toEqual(expected));
});
