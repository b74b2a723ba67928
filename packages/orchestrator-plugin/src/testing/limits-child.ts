/**
 * A task process for the limits tests, started by startLimitsChild (limits-processes.ts) with
 * one JSON argument. It drives the real limits modules the way task processes do and
 * appends what happened, as JSON lines with times, to `log`.
 *
 * - `hold`: takes a slot of the pool in `folder` (limit `limit`), holds it `holdMs` (forever
 *   when absent), releases it. `holders` > 1 runs that many tasks in this one process, as a
 *   batch does. `foreignMachine` makes its tickets look as if written on another machine.
 * - `append`: appends `count` events to the run journal at `journal`, as fast as it can.
 * - `spend`: a task under a run budget of `budgetUsd` that, once admitted, works `durationMs`
 *   and spends `costUsd`.
 * - `requests`: a task that calls `url` under a run's limits (shared backoff through the run
 *   journal), retrying on 429 with the retry-after the server sends, until one succeeds.
 */
import { appendFileSync } from 'node:fs';
import { ConcurrencyPool } from '../limits/concurrency-pool';
import { ProcessIdentities, SYSTEM_PROCESS_TABLE } from '../limits/process-identity';
import { RunJournal } from '../limits/run-journal';
import { RunLimits } from '../limits/task-limits';

type Command =
  | {
      action: 'hold';
      folder: string;
      limit: number;
      holder: string;
      holders?: number;
      holdMs?: number;
      log: string;
      foreignMachine?: boolean;
      staleMs?: number;
    }
  | { action: 'requests'; workspaceDataFolder: string; runId: string; task: string; url: string; concurrency?: number; log: string }
  | { action: 'append'; journal: string; task: string; count: number; log: string }
  | { action: 'spend'; workspaceDataFolder: string; runId: string; task: string; budgetUsd: number; costUsd: number; durationMs: number; log: string };

const command = JSON.parse(process.argv[2]) as Command;
const log = (entry: Record<string, unknown>) => appendFileSync(command.log, `${JSON.stringify({ ...entry, pid: process.pid, at: Date.now() })}\n`);

async function hold(request: Extract<Command, { action: 'hold' }>): Promise<void> {
  const table = request.foreignMachine ? { ...SYSTEM_PROCESS_TABLE, hostname: () => 'another-machine' } : SYSTEM_PROCESS_TABLE;
  const pool = new ConcurrencyPool({ identities: new ProcessIdentities(table), staleMs: request.staleMs, pollMs: 50 });
  await Promise.all(
    Array.from({ length: request.holders ?? 1 }, async (_, index) => {
      const holder = request.holders ? `${request.holder}-${index}` : request.holder;
      const slot = await pool.acquire({ folder: request.folder, limit: () => request.limit, holder });
      log({ event: 'acquired', holder, waitedMs: slot.waitedMs });
      // Held until the test kills this process (the interval keeps it alive).
      if (request.holdMs === undefined) return new Promise<void>(() => setInterval(() => undefined, 60_000));
      await new Promise((resolve) => setTimeout(resolve, request.holdMs));
      log({ event: 'released', holder });
      slot.release();
    }),
  );
}

async function requests(request: Extract<Command, { action: 'requests' }>): Promise<void> {
  const limits = new RunLimits({
    workspaceDataFolder: request.workspaceDataFolder,
    runId: request.runId,
    settings: { providerConcurrency: request.concurrency ? { anthropic: request.concurrency } : {}, budget: {} },
    pollMs: 50,
  });
  const task = limits.forTask({ task: request.task, provider: 'anthropic', log: (line) => log({ event: 'line', line }) });
  await task.start();
  try {
    for (let attempt = 1; attempt <= 20; attempt++) {
      await task.beforeAttempt(attempt);
      const startedAt = Date.now();
      log({ event: 'request', task: request.task, attempt });
      const response = await fetch(request.url, { method: 'POST', headers: { 'x-task': request.task } });
      await response.text();
      if (response.ok) {
        task.afterAttempt({ attempt, startedAt, succeeded: true });
        log({ event: 'succeeded', task: request.task, attempt, waits: task.waits });
        return;
      }
      const retryAfter = Number(response.headers.get('retry-after'));
      task.afterAttempt({ attempt, startedAt, succeeded: false, rateLimited: { retryAfterMs: Number.isFinite(retryAfter) ? retryAfter * 1_000 : undefined } });
    }
    throw new Error(`${request.task} never succeeded`);
  } finally {
    task.finish();
  }
}

async function append(request: Extract<Command, { action: 'append' }>): Promise<void> {
  const journal = new RunJournal(request.journal);
  for (let index = 0; index < request.count; index++) {
    journal.append({ type: 'refused', at: Date.now(), task: request.task, reason: `event ${index} ${'x'.repeat(200)}`, budget: {} });
  }
}

async function spend(request: Extract<Command, { action: 'spend' }>): Promise<void> {
  const limits = new RunLimits({
    workspaceDataFolder: request.workspaceDataFolder,
    runId: request.runId,
    settings: { providerConcurrency: {}, budget: { costUsd: request.budgetUsd } },
    pollMs: 50,
  });
  const task = limits.forTask({ task: request.task, provider: 'scripted', log: (line) => log({ event: 'line', task: request.task, line }) });
  const start = await task.start();
  if (!start.started) return log({ event: 'refused', task: request.task, reason: start.reason });
  log({ event: 'admitted', task: request.task });
  await new Promise((resolve) => setTimeout(resolve, request.durationMs));
  task.afterAttempt({ attempt: 1, startedAt: Date.now(), succeeded: true, spend: { costUsd: request.costUsd, tokens: 100 } });
  log({ event: 'spent', task: request.task });
  task.finish();
}

const actions = { hold, requests, append, spend } as Record<Command['action'], (request: Command) => Promise<void>>;
actions[command.action](command).catch((error: Error) => {
  log({ event: 'error', message: error.message });
  process.exitCode = 1;
});
