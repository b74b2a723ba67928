import type { NormalizedPluginOptions } from '../task-spec/plugin-options';
import type { LimitsSettings } from './task-limits';

/** Override the run budget for one invocation. Nx hashes nx.json into every task, so raising the budget there re-runs everything; these do not. */
export const BUDGET_COST_ENV = 'NX_AGENT_BUDGET_COST';
export const BUDGET_TOKENS_ENV = 'NX_AGENT_BUDGET_TOKENS';

/** A budget variable that is not a positive number: a setup error, with the fix. */
export class InvalidLimitsSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidLimitsSettingError';
  }
}

/**
 * The run's limits: pools per provider from the plugin's `concurrency`, and the budget from
 * its `budget`, each limit replaced by {@link BUDGET_COST_ENV} / {@link BUDGET_TOKENS_ENV}
 * where set (`0` or an empty value turns that limit off).
 */
export function resolveLimitsSettings(
  options: Pick<NormalizedPluginOptions, 'concurrency' | 'budget'>,
  environment: NodeJS.ProcessEnv = process.env,
): LimitsSettings {
  const cost = overridden(fromEnvironment(environment, BUDGET_COST_ENV, 'a cost in USD such as 5 or 2.50', false), options.budget.cost);
  const tokens = overridden(fromEnvironment(environment, BUDGET_TOKENS_ENV, 'a whole number of tokens such as 2000000', true), options.budget.tokens);
  return {
    providerConcurrency: { ...options.concurrency },
    budget: { ...(cost !== undefined ? { costUsd: cost } : {}), ...(tokens !== undefined ? { tokens } : {}) },
  };
}

/** The environment's value where set (null: off), else the plugin's. */
function overridden(fromEnvironmentValue: number | null | undefined, fromOptions: number | undefined): number | undefined {
  if (fromEnvironmentValue === null) return undefined;
  return fromEnvironmentValue ?? fromOptions;
}

/** The variable's number; null when it turns the limit off; undefined when it is not set. */
function fromEnvironment(environment: NodeJS.ProcessEnv, name: string, expected: string, whole: boolean): number | null | undefined {
  const raw = environment[name];
  if (raw === undefined) return undefined;
  const text = raw.trim().replace(/^\$/, '');
  if (text === '' || text === '0') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (whole && !Number.isInteger(value))) {
    throw new InvalidLimitsSettingError(`${name}="${raw}" is not ${expected}: set it to ${expected}, or unset it to use the plugin's budget in nx.json`);
  }
  return value;
}
