import { priceTokens } from './pricing';

// One million input and one million output tokens: the result is input price + output price.
const MILLION = 1_000_000;

describe('priceTokens', () => {
  it.each<[string, string | undefined, number | undefined]>([
    ['no model', undefined, undefined],
    ['empty model', '', undefined],
    ['an unknown (local) model is unknown, never free', 'llama3.1:8b', undefined],
    ['the scripted agent is not in the table', 'scripted', undefined],
    ['claude sonnet 4 with a date', 'claude-sonnet-4-20250514', 3 + 15],
    ['claude sonnet 4.5', 'claude-sonnet-4-5', 3 + 15],
    ['claude opus 4.1', 'claude-opus-4-1-20250805', 15 + 75],
    ['claude opus 4.5 is not priced as opus 4', 'claude-opus-4-5-20251101', 5 + 25],
    ['claude haiku 4.5', 'claude-haiku-4-5', 1 + 5],
    ['claude 3.5 haiku', 'claude-3-5-haiku-latest', 0.8 + 4],
    ['claude code aliases', 'sonnet', 3 + 15],
    ['case does not matter', 'Claude-Sonnet-4', 3 + 15],
    ['a provider prefix is ignored', 'anthropic/claude-sonnet-4', 3 + 15],
    ['openai/ prefix', 'openai/gpt-4o', 2.5 + 10],
    ['gpt-5 mini is not priced as gpt-5', 'gpt-5-mini', 0.25 + 2],
    ['gpt-5 nano', 'gpt-5-nano-2025-08-07', 0.05 + 0.4],
    ['gpt-5', 'gpt-5-2025-08-07', 1.25 + 10],
    ['gpt-4.1 mini is not priced as gpt-4.1', 'gpt-4.1-mini', 0.4 + 1.6],
    ['gpt-4o mini is not priced as gpt-4o', 'gpt-4o-mini', 0.15 + 0.6],
    ['o3 mini is not priced as o3', 'o3-mini', 1.1 + 4.4],
    ['o3', 'o3-2025-04-16', 2 + 8],
    ['o4 mini', 'o4-mini', 1.1 + 4.4],
    ['gemini flash lite is not priced as flash', 'gemini-2.5-flash-lite', 0.1 + 0.4],
    ['gemini flash', 'gemini-2.5-flash', 0.3 + 2.5],
    ['models/ prefix (Gemini API names)', 'models/gemini-2.5-pro', 1.25 + 10],
  ])('%s', (_name, model, expected) => {
    const cost = priceTokens(model, MILLION, MILLION);
    if (expected === undefined) expect(cost).toBeUndefined();
    else expect(cost).toBeCloseTo(expected, 10);
  });

  it.each<[number, number, number]>([
    [0, 0, 0],
    [1_000, 0, 0.003],
    [0, 1_000, 0.015],
    [12_345, 678, (12_345 * 3 + 678 * 15) / MILLION],
  ])('sonnet: %i in, %i out -> $%d', (input, output, expected) => {
    expect(priceTokens('claude-sonnet-4', input, output)).toBeCloseTo(expected, 12);
  });
});
