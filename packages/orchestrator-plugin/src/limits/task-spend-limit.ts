import type { Spend } from './run-journal';

/** A task's own limits: `maxCost` (USD) and `maxTokens` (input + output) from its spec. */
export interface TaskSpendLimits {
  maxCost?: number;
  maxTokens?: number;
}

/** What a task's spend says about its limits: a problem fails the task; a warning is only reported. */
export interface SpendCheck {
  problem?: string;
  warning?: string;
}

/**
 * Checks what a task spent (all its attempts) against its own limits, after the fact: for the
 * providers whose client cannot stop itself at a budget. A cost nobody knows cannot pass
 * `maxCost`; it is reported, not failed.
 */
export function checkTaskSpend(limits: TaskSpendLimits, spend: Spend): SpendCheck {
  const problems: string[] = [];
  if (limits.maxTokens !== undefined && spend.tokens > limits.maxTokens)
    problems.push(`used ${spend.tokens} tokens, more than its maxTokens ${limits.maxTokens}`);
  if (limits.maxCost !== undefined && spend.costUsd !== null && spend.costUsd > limits.maxCost) {
    problems.push(`spent $${spend.costUsd.toFixed(4)}, more than its maxCost $${limits.maxCost.toFixed(2)}`);
  }
  const warning =
    limits.maxCost !== undefined && spend.costUsd === null
      ? `maxCost $${limits.maxCost.toFixed(2)} could not be checked: neither the client nor the price table knows this model's price`
      : undefined;
  return { ...(problems.length ? { problem: problems.join('; ') } : {}), ...(warning ? { warning } : {}) };
}
