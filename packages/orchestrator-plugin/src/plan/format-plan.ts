import { formatDuration } from '../task-spec/duration';
import type { Plan, PlanTask } from './build-plan';

/** Dollars with cents, or fractions of a cent for small amounts. */
export function formatCost(value: number | null): string {
  if (value === null) return '?';
  return value >= 1 || value === 0 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
}

/** 1234 -> 1.2k, 2500000 -> 2.5M. */
export function formatTokens(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  if (value >= 1_000) return `${(value / 1_000).toFixed(1)}k`;
  return String(value);
}

/** The plan as people read it: batches, critical path, conflicts, then one line per task and the totals. */
export function formatPlan(plan: Plan): string {
  const byId = new Map(plan.tasks.map((task) => [task.id, task]));
  const mark = (id: string) => {
    const task = byId.get(id)!;
    return task.invalid ? `${id} (invalid)` : task.cached ? `${id} (cached)` : id;
  };
  const lines: string[] = [];
  const { totals } = plan;
  lines.push(
    `Agent plan: ${totals.agentTasks} agent task${totals.agentTasks === 1 ? '' : 's'} (${totals.toRun} to run, ${totals.cached} cached${totals.invalid ? `, ${totals.invalid} invalid` : ''})` +
      `${totals.tasks > totals.agentTasks ? ` and ${totals.tasks - totals.agentTasks} other task${totals.tasks - totals.agentTasks === 1 ? '' : 's'}` : ''}` +
      `, --parallel=${plan.parallel ?? 'unlimited'}`,
  );
  lines.push('', 'Batches (what can run together):');
  plan.batches.forEach((batch, index) => lines.push(`  ${index + 1}. ${batch.map(mark).join(', ')}`));
  lines.push('', `Critical path (${formatDuration(totals.criticalPathMs)}): ${plan.criticalPath.join(' -> ') || '(none)'}`);
  if (plan.conflicts.length) {
    lines.push('', 'Conflicts:');
    for (const conflict of plan.conflicts) {
      const [first, second] = conflict.tasks;
      lines.push(
        conflict.kind === 'serialized'
          ? `  serialized: ${second} runs after ${first} (both may write ${conflict.path ?? 'the same files'})`
          : `  race: ${first} reads ${conflict.path ?? 'what'} ${second} may write, and nothing orders them`,
      );
    }
  }
  const invalid = plan.tasks.filter((task) => task.invalid);
  if (invalid.length) {
    lines.push('', 'Invalid tasks (they fail when run):');
    for (const task of invalid) lines.push(`  ${task.id}: ${task.invalid!.split('\n').join('\n    ')}`);
  }
  const agentTasks = plan.tasks.filter((task) => task.agent);
  if (agentTasks.length) {
    const width = Math.max(4, ...agentTasks.map((task) => task.id.length));
    lines.push(
      '',
      `  ${'task'.padEnd(width)}  ${'state'.padEnd(14)}  ${'duration'.padStart(8)}  ${'tokens'.padStart(7)}  ${'cost'.padStart(8)}  estimate from`,
    );
    for (const task of agentTasks) lines.push(`  ${task.id.padEnd(width)}  ${state(task).padEnd(14)}  ${row(task)}`);
  }
  lines.push(
    '',
    `Would run: ${totals.toRun} agent task${totals.toRun === 1 ? '' : 's'}, ${formatDuration(totals.durationMs)} of agent time, ` +
      `${formatTokens(totals.tokens)} tokens, ${formatCost(totals.cost)}${totals.unpricedTasks ? ` + ${totals.unpricedTasks} task(s) of unknown price` : ''}; ` +
      `about ${formatDuration(totals.wallClockMs)} at --parallel=${plan.parallel ?? 'unlimited'}`,
    `The cache saves: ${totals.cached} task${totals.cached === 1 ? '' : 's'}, ${formatDuration(totals.savedByCache.durationMs)}, ${formatTokens(totals.savedByCache.tokens)} tokens, ${formatCost(totals.savedByCache.cost)}`,
  );
  return `${lines.join('\n')}\n`;
}

function state(task: PlanTask): string {
  if (task.invalid) return 'invalid';
  if (task.cached) return `cached (${task.cached})`;
  return 'runs';
}

function row(task: PlanTask): string {
  const { estimate } = task;
  const source = { record: 'last run', 'estimates-option': 'estimates option', script: 'script', 'provider-default': 'provider default', none: '-' }[
    estimate.source
  ];
  return `${formatDuration(estimate.durationMs).padStart(8)}  ${formatTokens(estimate.tokens).padStart(7)}  ${formatCost(estimate.cost).padStart(8)}  ${source}`;
}
