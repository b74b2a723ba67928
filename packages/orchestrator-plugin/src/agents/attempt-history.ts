import type { RunRecord } from '../runs/run-record';
import { AgentError, type AgentUsage } from './agent-error';
import { priceTokens } from './pricing';

/** One attempt as the run record lists it. */
export type AttemptEntry = NonNullable<RunRecord['attemptHistory']>[number];

interface TrackedAttempt {
  attempt: number;
  outcome: AttemptEntry['outcome'];
  error?: string;
  /** Undefined when the attempt failed before it could say what it used. */
  usage?: AgentUsage;
  durationMs: number;
}

/**
 * The attempts of one run, each with its outcome, error, tokens and duration, and the totals the
 * record reports: failed attempts are paid for too, so their tokens and cost count.
 */
export class AttemptHistory {
  private readonly attempts: TrackedAttempt[] = [];

  constructor(private readonly now: () => number) {}

  /** Runs one attempt, timing it and keeping what it used, whether it succeeds or throws. */
  async track<T extends AgentUsage>(attempt: number, run: () => Promise<T>, stopped: () => boolean | Promise<boolean>): Promise<T> {
    const started = this.now();
    try {
      const result = await run();
      this.attempts.push({ attempt, outcome: 'succeeded', usage: result, durationMs: this.now() - started });
      return result;
    } catch (error) {
      const usage = AgentError.isInstance(error) ? error.usage : undefined;
      const message = error instanceof Error ? error.message : String(error);
      this.attempts.push({ attempt, outcome: (await stopped()) ? 'stopped' : 'failed', error: message, usage, durationMs: this.now() - started });
      throw error;
    }
  }

  get count(): number {
    return this.attempts.length;
  }

  /** The record's list, every error passed through `redact`. */
  entries(redact: (text: string) => string): AttemptEntry[] {
    return this.attempts.map(({ attempt, outcome, error, usage, durationMs }) => ({
      attempt,
      outcome,
      ...(error !== undefined && { error: redact(error) }),
      tokens: { input: usage?.inputTokens ?? 0, output: usage?.outputTokens ?? 0 },
      ...(usage?.costUsd !== undefined && { costUsd: usage.costUsd }),
      durationMs,
    }));
  }

  /** What attempt `attempt` alone spent: tokens in + out, and its cost as {@link cost} prices it. */
  spendOf(attempt: number, model: string | undefined): { costUsd: number | null; tokens: number } {
    const usage = this.attempts.find((entry) => entry.attempt === attempt)?.usage;
    if (!usage) return { costUsd: 0, tokens: 0 };
    return {
      costUsd: usage.costUsd ?? priceTokens(usage.model ?? model, usage.inputTokens, usage.outputTokens) ?? null,
      tokens: usage.inputTokens + usage.outputTokens,
    };
  }

  /** Tokens over every attempt; `estimated` when any count was an estimate. */
  tokens(): RunRecord['tokens'] {
    const used = this.attempts.flatMap((attempt) => (attempt.usage ? [attempt.usage] : []));
    const estimated = used.some((usage) => usage.estimated);
    return {
      input: used.reduce((total, usage) => total + usage.inputTokens, 0),
      output: used.reduce((total, usage) => total + usage.outputTokens, 0),
      ...(estimated && { estimated: true }),
    };
  }

  /**
   * Cost over every attempt that reported usage: the client's where it said, else the price
   * table's for the attempt's model (`model` when it names none); unknown, never free, when any
   * such attempt cannot be priced, or when no attempt reported anything.
   */
  cost(model: string | undefined): Pick<RunRecord, 'costUsd' | 'costSource'> {
    const used = this.attempts.flatMap((attempt) => (attempt.usage ? [attempt.usage] : []));
    const costs = used.map((usage) => usage.costUsd ?? priceTokens(usage.model ?? model, usage.inputTokens, usage.outputTokens));
    if (!used.length || costs.some((cost) => cost === undefined)) return { costUsd: null, costSource: 'unknown' };
    const total = costs.reduce<number>((sum, cost) => sum + (cost ?? 0), 0);
    return { costUsd: total, costSource: used.every((usage) => usage.costUsd !== undefined) ? 'client' : 'price-table' };
  }
}
