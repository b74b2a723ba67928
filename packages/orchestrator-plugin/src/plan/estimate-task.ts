import { priceTokens } from '../agents/pricing';
import type { RunRecord } from '../runs/run-record';
import type { NormalizedPluginOptions, ProfileEstimate, ProviderId } from '../task-spec/plugin-options';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';

/** What one task is expected to take. */
export interface TaskEstimate {
  durationMs: number;
  tokens: { input: number; output: number };
  /** USD; null when the price is unknown (a model the price table does not know, a command). */
  costUsd: number | null;
  /** Where the numbers come from. */
  source: 'record' | 'estimates-option' | 'script' | 'provider-default';
}

/**
 * Rough figures for one agent run of each provider, used until a task has a record and when the
 * plugin's `estimates` option says nothing. The model is the one priced when the profile names none.
 */
const PROVIDER_DEFAULTS: Record<ProviderId, { durationMs: number; input: number; output: number; model?: string }> = {
  'claude-code': { durationMs: 5 * 60_000, input: 200_000, output: 10_000, model: 'sonnet' },
  codex: { durationMs: 5 * 60_000, input: 200_000, output: 10_000, model: 'gpt-5' },
  gemini: { durationMs: 5 * 60_000, input: 200_000, output: 10_000, model: 'gemini-2.5-pro' },
  anthropic: { durationMs: 2 * 60_000, input: 50_000, output: 5_000, model: 'sonnet' },
  openai: { durationMs: 2 * 60_000, input: 50_000, output: 5_000 },
  command: { durationMs: 60_000, input: 0, output: 0 },
  scripted: { durationMs: 0, input: 0, output: 0 },
};

/** What estimating one task needs. */
export interface EstimateRequest {
  run: ResolvedTaskRun;
  /** The task's last run record, if it has one. */
  record?: RunRecord;
  options: Pick<NormalizedPluginOptions, 'estimates'>;
}

/**
 * The estimate of one agent task: its last run record's duration, tokens and cost where it has
 * one (a succeeded or failed run: both were paid for); else the plugin's `estimates` for its
 * profile (or provider), else the provider's default; the scripted agent takes its script's
 * duration and costs nothing. Tokens without a cost are priced with the price table.
 */
export function estimateTask({ run, record, options }: EstimateRequest): TaskEstimate {
  const { agent } = run;
  if (record && (record.status === 'succeeded' || record.status === 'failed') && record.durationMs > 0) {
    return {
      durationMs: record.durationMs,
      tokens: { ...record.tokens },
      costUsd: record.costUsd ?? priceTokens(record.model || agent.profile.model, record.tokens.input, record.tokens.output) ?? null,
      source: 'record',
    };
  }
  const defaults = PROVIDER_DEFAULTS[agent.provider];
  if (agent.provider === 'scripted') {
    return { durationMs: run.script?.duration ?? 0, tokens: { input: 0, output: 0 }, costUsd: 0, source: 'script' };
  }
  const configured: ProfileEstimate | undefined = ownValue(options.estimates, agent.name) ?? ownValue(options.estimates, agent.provider);
  const tokens = { input: configured?.inputTokens ?? defaults.input, output: configured?.outputTokens ?? defaults.output };
  const model = agent.profile.model ?? defaults.model;
  const costUsd = tokens.input + tokens.output === 0 ? 0 : (priceTokens(model, tokens.input, tokens.output) ?? null);
  return { durationMs: configured?.duration ?? defaults.durationMs, tokens, costUsd, source: configured ? 'estimates-option' : 'provider-default' };
}

function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
