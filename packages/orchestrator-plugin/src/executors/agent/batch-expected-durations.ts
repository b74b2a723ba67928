/** What is known about one task's duration before it runs. */
export interface DurationEvidence {
  /** The Nx task id. */
  task: string;
  /** The profile (or provider id) it runs with; undefined when it could not be resolved. */
  agent?: string;
  /** The duration of its last run, when that run succeeded (from its run record). */
  lastSucceededMs?: number;
  /** What its script says it takes, for the scripted agent. */
  scriptMs?: number;
}

/** Where an expected duration came from, strongest first. */
export type DurationSource = 'last-run' | 'script' | 'profile' | 'batch' | 'none';

/** A task's expected duration and its source. */
export interface ExpectedDuration {
  ms: number;
  source: DurationSource;
}

/** The weight of a task nothing is known about, when nothing in the batch is known either: every task weighs the same, so the longest path counts hops. */
const UNIT_WEIGHT_MS = 1;

/**
 * Expected durations for a batch's tasks, the weights of its critical-path schedule: the
 * task's own last successful run; else its script's duration; else the median of the last
 * successful runs of the batch's tasks with the same profile; else the median of every known
 * duration in the batch; else one unit for all. Pure.
 */
export function batchExpectedDurations(evidence: readonly DurationEvidence[]): Record<string, ExpectedDuration> {
  const byAgent = new Map<string, number[]>();
  const known: number[] = [];
  for (const { agent, lastSucceededMs, scriptMs } of evidence) {
    const ms = lastSucceededMs ?? scriptMs;
    if (ms === undefined) continue;
    known.push(ms);
    if (agent !== undefined && lastSucceededMs !== undefined) byAgent.set(agent, [...(byAgent.get(agent) ?? []), lastSucceededMs]);
  }
  const batchMedian = median(known);
  const expected: Record<string, ExpectedDuration> = {};
  for (const { task, agent, lastSucceededMs, scriptMs } of evidence) {
    const profileMedian = agent === undefined ? undefined : median(byAgent.get(agent) ?? []);
    expected[task] =
      lastSucceededMs !== undefined
        ? { ms: lastSucceededMs, source: 'last-run' }
        : scriptMs !== undefined
          ? { ms: scriptMs, source: 'script' }
          : profileMedian !== undefined
            ? { ms: profileMedian, source: 'profile' }
            : batchMedian !== undefined
              ? { ms: batchMedian, source: 'batch' }
              : { ms: UNIT_WEIGHT_MS, source: 'none' };
  }
  return expected;
}

function median(values: readonly number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((first, second) => first - second);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
