import { formatDuration } from '../task-spec/duration';
import type { NormalizedPluginOptions } from '../task-spec/plugin-options';
import type { Plan } from './build-plan';
import { formatCost, formatTokens } from './format-plan';

/** The environment variable that lets a run go on past the launch guard. */
export const CONFIRM_ENV = 'NX_AGENTS_CONFIRM';

export type LaunchDecision = { allowed: true; confirmedPast?: string } | { allowed: false; message: string };

export interface LaunchRequest {
  plan: Plan;
  limits: Pick<NormalizedPluginOptions, 'maxTasks' | 'maxEstimatedCost'>;
  env: Readonly<Record<string, string | undefined>>;
  /** The command as typed (for "how to go on"), e.g. `nx run-many -t agent`. */
  command: string;
  /** The equivalent `nx-agents plan ...` command. */
  planCommand: string;
}

/** Which limits a plan exceeds, spelled for people; empty when none. */
export function exceededLimits(plan: Plan, limits: LaunchRequest['limits']): string[] {
  const exceeded: string[] = [];
  if (limits.maxTasks !== undefined && plan.totals.toRun > limits.maxTasks)
    exceeded.push(`${plan.totals.toRun} agent tasks to run > maxTasks ${limits.maxTasks}`);
  if (limits.maxEstimatedCost !== undefined && plan.totals.cost > limits.maxEstimatedCost) {
    exceeded.push(`estimated ${formatCost(plan.totals.cost)} > maxEstimatedCost ${formatCost(limits.maxEstimatedCost)}`);
  }
  return exceeded;
}

/**
 * Whether a run may start: refused when its plan exceeds `maxTasks` (agent tasks that would
 * start an agent: cache hits and invalid tasks do not count) or `maxEstimatedCost`, unless
 * NX_AGENTS_CONFIRM is set. The refusal says what the plan holds and how to go on. Pure.
 */
export function decideLaunch({ plan, limits, env, command, planCommand }: LaunchRequest): LaunchDecision {
  const exceeded = exceededLimits(plan, limits);
  if (!exceeded.length) return { allowed: true };
  if (env[CONFIRM_ENV] && env[CONFIRM_ENV] !== '0' && env[CONFIRM_ENV] !== 'false') return { allowed: true, confirmedPast: exceeded.join('; ') };
  const { totals } = plan;
  const lines = [
    `nx-agents launch guard: nothing was started, this run is over its limits (${exceeded.join('; ')})`,
    `The plan: ${totals.agentTasks} agent task${totals.agentTasks === 1 ? '' : 's'}, ${totals.toRun} to run, ${totals.cached} cached${totals.invalid ? `, ${totals.invalid} invalid` : ''}; ` +
      `${formatDuration(totals.durationMs)} of agent time, ${formatTokens(totals.tokens)} tokens, ${formatCost(totals.cost)}` +
      `${totals.unpricedTasks ? ` (+ ${totals.unpricedTasks} task(s) of unknown price)` : ''}; critical path ${formatDuration(totals.criticalPathMs)}, about ${formatDuration(totals.wallClockMs)} at --parallel=${plan.parallel ?? 'unlimited'}.`,
    `See every task: ${planCommand}`,
    `To go on: ${CONFIRM_ENV}=1 ${command}`,
    `Or narrow the run (--projects, --exclude, nx affected), or raise maxTasks / maxEstimatedCost in the plugin's options in nx.json.`,
  ];
  return { allowed: false, message: lines.join('\n') };
}
