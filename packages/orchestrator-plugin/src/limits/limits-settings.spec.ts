import { normalizePluginOptions } from '../task-spec/plugin-options';
import { BUDGET_COST_ENV, BUDGET_TOKENS_ENV, resolveLimitsSettings } from './limits-settings';

describe('resolveLimitsSettings', () => {
  const options = normalizePluginOptions({ concurrency: { 'claude-code': 4 }, budget: { cost: 5, tokens: 100_000 } });

  it("takes the plugin's concurrency and budget", () => {
    expect(resolveLimitsSettings(options, {})).toEqual({ providerConcurrency: { 'claude-code': 4 }, budget: { costUsd: 5, tokens: 100_000 } });
  });

  it('lets the environment raise, lower or turn off each budget limit', () => {
    expect(resolveLimitsSettings(options, { [BUDGET_COST_ENV]: '$7.50', [BUDGET_TOKENS_ENV]: '0' }).budget).toEqual({ costUsd: 7.5 });
    expect(resolveLimitsSettings(normalizePluginOptions({}), { [BUDGET_TOKENS_ENV]: ' 2000 ' }).budget).toEqual({ tokens: 2_000 });
  });

  it.each([
    [BUDGET_COST_ENV, 'five', 'NX_AGENT_BUDGET_COST="five" is not a cost in USD such as 5 or 2.50'],
    [BUDGET_COST_ENV, '-1', 'NX_AGENT_BUDGET_COST="-1" is not a cost in USD'],
    [BUDGET_TOKENS_ENV, '1.5', 'NX_AGENT_BUDGET_TOKENS="1.5" is not a whole number of tokens'],
  ])('refuses %s=%s with the fix', (name, value, message) => {
    expect(() => resolveLimitsSettings(options, { [name]: value })).toThrow(message);
  });
});

describe('plugin options for limits', () => {
  it('name an unknown provider in concurrency with the closest one', () => {
    expect(() => normalizePluginOptions({ concurrency: { 'claud-code': 2 } })).toThrow(
      /option "concurrency.claud-code": "claud-code" is not a provider. Did you mean "claude-code"\?/,
    );
  });

  it('refuse a budget field they do not know, and a non-positive limit', () => {
    expect(() => normalizePluginOptions({ budget: { usd: 5 } })).toThrow(/unknown option "budget.usd"/);
    expect(() => normalizePluginOptions({ budget: { cost: 0 } })).toThrow(/option "budget.cost"/);
    expect(() => normalizePluginOptions({ concurrency: { codex: 0 } })).toThrow(/option "concurrency.codex"/);
  });
});
