import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderId } from '../task-spec/plugin-options';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import { formatDuration } from '../task-spec/duration';
import { AgentError, type AgentAdapter, type AgentEvent, type AgentRunResult } from './agent-adapter';
import { assemblePrompt, type UpstreamSummary } from './assemble-prompt';
import { createAgent } from './create-agent';
import { priceTokens } from './pricing';
import { secretRedactor } from './redact-secrets';
import { withRetries } from './retry';
import { TRANSCRIPT_FILE } from '../runs/run-folders';
import { clearRunRecord, readRunRecord, runRecordPath, writeRunRecord, type RunRecord, type RunStatus } from '../runs/run-record';

export interface RunAgentTaskRequest {
  workspaceRoot: string;
  /** The task, resolved once (resolveTaskRun): its spec, project, agent and script. */
  run: ResolvedTaskRun;
  /** The agent tasks this one depends on directly, whose summaries it receives. */
  upstream: ReadonlyArray<{ project: string; task: string }>;
  /** Aborted by Ctrl-C / SIGTERM of the run. */
  signal: AbortSignal;
  /** A stop that may not have reached `signal` yet; checked before recording a success. */
  stopRequested?: () => boolean;
  /** One line of progress for the task's terminal output. */
  log: (line: string) => void;
  /** Injectable for tests. */
  createAdapter?: (provider: ProviderId) => AgentAdapter;
  now?: () => Date;
}

/**
 * Runs one resolved agent task end to end: assemble the prompt with the upstream
 * summaries, run with retries and a timeout, and write the run record and transcript.
 * The record is written whatever the outcome; its status says whether the run succeeded.
 */
export async function runAgentTask(request: RunAgentTaskRequest): Promise<RunRecord> {
  const { workspaceRoot, run } = request;
  const { task, agent: resolved } = run;
  const project = run.project.name;
  // Whatever an adapter does, no key reaches the terminal, the transcript or the record.
  const redact = secretRedactor({ ...process.env, ...resolved.profile.env });
  const log = (line: string) => request.log(redact(line));
  const now = request.now ?? (() => new Date());
  const startedAt = now();
  clearRunRecord(workspaceRoot, project, task.id);
  const folder = runRecordPath(workspaceRoot, project, task.id);
  mkdirSync(folder, { recursive: true });
  const transcript = (entry: Record<string, unknown>) =>
    appendFileSync(join(folder, TRANSCRIPT_FILE), `${redact(JSON.stringify({ time: now().toISOString(), ...entry }))}\n`);

  const base = {
    schemaVersion: 1 as const,
    project,
    task: task.id,
    spec: task.file,
    upstream: request.upstream.map((item) => `${item.project}:${item.task}`),
    // Fields another tool wrote into the task (issue, points, ...), kept as written.
    ...(task.extra ? { sourceFields: task.extra } : {}),
  };
  // The model the run was asked to use: what a failed run records, having no answer to report one.
  const model = resolved.profile.model;
  let attempts = 0;
  const finish = (status: RunStatus, result: Partial<AgentRunResult>, error?: string): RunRecord => {
    const endedAt = now();
    const record: RunRecord = {
      ...base,
      status,
      agent: resolved.name,
      provider: resolved.provider,
      model: result.model ?? model ?? '',
      attempts,
      turns: result.turns ?? 0,
      tokens: { input: result.inputTokens ?? 0, output: result.outputTokens ?? 0 },
      ...cost(result),
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - startedAt.getTime(),
      summary: redact(result.summary ?? ''),
      filesWritten: result.filesWritten ?? [],
      ...(error ? { error: redact(error) } : {}),
    };
    transcript({ type: 'result', status, ...(error ? { error } : {}) });
    writeRunRecord(workspaceRoot, record);
    return record;
  };

  const timeout = new AbortController();
  const timer = task.timeoutMs ? setTimeout(() => timeout.abort(), task.timeoutMs) : undefined;
  const signal = AbortSignal.any([request.signal, timeout.signal]);
  try {
    const adapter = (request.createAdapter ?? createAgent)(resolved.provider);
    const upstream = readUpstreamSummaries(workspaceRoot, request.upstream);
    const prompt = assemblePrompt(task.prompt, task.inputs, upstream);
    log(
      `${project}:${task.id} · agent ${resolved.name} (${resolved.provider}${resolved.profile.model ? `, ${resolved.profile.model}` : ''})${upstream.length ? ` · ${upstream.length} upstream summar${upstream.length === 1 ? 'y' : 'ies'}` : ''}`,
    );
    transcript({ type: 'prompt', systemPrompt: resolved.profile.systemPrompt, prompt });
    const onEvent = (event: AgentEvent) => {
      transcript({ type: 'event', event });
      const line = describeEvent(event);
      if (line) log(`  ${line}`);
    };
    const { value } = await withRetries(
      (attempt) => {
        attempts = attempt;
        if (attempt > 1) log(`  attempt ${attempt} of ${task.retries + 1}`);
        return adapter.run({
          taskId: task.id,
          prompt,
          systemPrompt: resolved.profile.systemPrompt,
          model: resolved.profile.model,
          tools: resolved.profile.tools,
          maxTurns: resolved.profile.maxTurns,
          permissionMode: resolved.profile.permissionMode,
          env: resolved.profile.env,
          command: resolved.profile.command,
          cwd: workspaceRoot,
          projectRoot: run.project.root,
          attempt,
          script: run.script,
          signal,
          onEvent,
        });
      },
      {
        retries: task.retries,
        baseDelayMs: adapter.retryBaseDelayMs,
        signal,
        onRetry: ({ attempt, delayMs, error }) => log(`  attempt ${attempt} failed (${error.message}); retrying in ${formatDuration(delayMs)}`),
      },
    );
    // A stop that arrived while the agent was finishing wins: an interrupted run never
    // claims success (its agent may have exited 0 only because its children were killed).
    if (signal.aborted || request.stopRequested?.()) throw new AgentError('stopped before the run could be recorded as a success', { isRetryable: false });
    const record = finish('succeeded', value);
    log(
      `done in ${formatDuration(record.durationMs)} · ${record.turns} turn${record.turns === 1 ? '' : 's'} · ${record.tokens.input} tokens in / ${record.tokens.output} out · ${record.costUsd === null ? 'cost unknown' : `$${record.costUsd.toFixed(4)}`}${record.filesWritten.length ? ` · wrote ${record.filesWritten.length} file${record.filesWritten.length === 1 ? '' : 's'}` : ''}`,
    );
    log(`summary: ${record.summary}`);
    return record;
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    const status: RunStatus = timeout.signal.aborted ? 'timed-out' : request.signal.aborted || request.stopRequested?.() ? 'interrupted' : 'failed';
    const message = status === 'timed-out' ? `timed out after ${formatDuration(task.timeoutMs ?? 0)} (timeout in ${task.file})` : error.message;
    return finish(status, {}, message);
  } finally {
    clearTimeout(timer);
  }
}

/** Cost as the client reported it, else from the price table, else unknown (never guessed as free). */
function cost(result: Partial<AgentRunResult>): Pick<RunRecord, 'costUsd' | 'costSource'> {
  if (result.costUsd !== undefined) return { costUsd: result.costUsd, costSource: 'client' };
  const priced = priceTokens(result.model, result.inputTokens ?? 0, result.outputTokens ?? 0);
  return priced === undefined ? { costUsd: null, costSource: 'unknown' } : { costUsd: priced, costSource: 'price-table' };
}

/** Final summaries of the upstream tasks that succeeded, read from their run records. */
function readUpstreamSummaries(workspaceRoot: string, upstream: RunAgentTaskRequest['upstream']): UpstreamSummary[] {
  return upstream.flatMap(({ project, task }) => {
    const record = readRunRecord(workspaceRoot, project, task);
    return record?.status === 'succeeded' ? [{ task: `${project}:${task}`, summary: record.summary }] : [];
  });
}

function describeEvent(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'status':
      return event.message;
    case 'turn':
      return `turn ${event.turn}`;
    case 'tool':
      return `tool ${event.name}${event.detail ? ` ${event.detail}` : ''}`;
    case 'file':
      return `wrote ${event.path}`;
    case 'usage':
      return `tokens so far: ${event.inputTokens} in / ${event.outputTokens} out`;
    case 'text':
      return undefined;
  }
}

export { AgentError };
