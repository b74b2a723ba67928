import type { AgentRunRequest } from './agent-adapter';
import { AgentError } from './agent-error';
import type { AttemptHistory } from './attempt-history';
import type { RetryOptions } from './retry';
import { isRateLimit } from './retry';

/** What one attempt came to, for whoever keeps the run's limits: its spend, and whether the provider turned it away. */
export interface AttemptOutcome {
  attempt: number;
  /** Epoch milliseconds. */
  startedAt: number;
  succeeded: boolean;
  /** The provider answered with a rate limit or an overload (429, 529), and the wait it asked for. */
  rateLimited?: { retryAfterMs?: number };
  /** This attempt alone: tokens in + out, and its cost (null when nobody knows the price). */
  spend: { costUsd: number | null; tokens: number };
}

/**
 * Waits and notices around each attempt, for limits kept outside the agents layer (the run's
 * pools, a provider's shared backoff, the run budget). All optional.
 */
export interface AttemptHooks {
  /** Before each attempt; may wait (a provider's shared pause) or throw (no retry once the run budget is spent). */
  beforeAttempt?: (attempt: number) => Promise<void>;
  /** After each attempt, failed ones included, once its spend is known. */
  afterAttempt?: (outcome: AttemptOutcome) => void;
  /** Before each model request an adapter makes itself (the SDK loop): waits out the provider's shared pause. */
  beforeModelRequest?: () => Promise<void>;
  onRateLimited?: RetryOptions['onRateLimited'];
}

/** The task's own limits (`maxCost`, `maxTokens`), all attempts together. */
export interface TaskBudget {
  maxCost?: number;
  maxTokens?: number;
}

/**
 * Runs one attempt and tells `hooks.afterAttempt` what it spent (from its result, or from the
 * AgentError's usage when it failed) and whether it was rate limited.
 */
export async function reportAttempt<T>(
  request: { attempt: number; hooks?: AttemptHooks; history: AttemptHistory; model?: string; now: () => number },
  run: () => Promise<T>,
): Promise<T> {
  const { attempt, hooks, history, model } = request;
  const startedAt = request.now();
  const report = (succeeded: boolean, error?: unknown) => {
    const rateLimited = error !== undefined && AgentError.isInstance(error) && isRateLimit(error) ? { retryAfterMs: error.retryAfterMs } : undefined;
    hooks?.afterAttempt?.({ attempt, startedAt, succeeded, ...(rateLimited && { rateLimited }), spend: history.spendOf(attempt, model) });
  };
  try {
    const value = await run();
    report(true);
    return value;
  } catch (error) {
    report(false, error);
    throw error;
  }
}

/**
 * What the next attempt may still spend of the task's own limits (the request's `budget`), for a client that stops
 * itself at a budget (only the limits `capabilities` says it enforces), or why there is no room
 * for another attempt. Earlier attempts' spend counts; a cost nobody knows is not subtracted.
 */
export function remainingTaskBudget(
  budget: TaskBudget,
  spent: { costUsd: number | null; tokens: number },
  capabilities: { maxCostUsd: boolean; maxTokens: boolean },
): { request: Pick<AgentRunRequest, 'budget'>; spentMessage?: string } {
  const costLeft = budget.maxCost === undefined ? undefined : budget.maxCost - (spent.costUsd ?? 0);
  const tokensLeft = budget.maxTokens === undefined ? undefined : budget.maxTokens - spent.tokens;
  if (costLeft !== undefined && costLeft <= 0) return { request: {}, spentMessage: `not retried: the task's maxCost $${budget.maxCost!.toFixed(2)} is spent` };
  if (tokensLeft !== undefined && tokensLeft <= 0) return { request: {}, spentMessage: `not retried: the task's maxTokens ${budget.maxTokens} are spent` };
  const passed = {
    ...(capabilities.maxCostUsd && costLeft !== undefined && { maxCostUsd: costLeft }),
    ...(capabilities.maxTokens && tokensLeft !== undefined && { maxTokens: tokensLeft }),
  };
  return { request: Object.keys(passed).length ? { budget: passed } : {} };
}
