import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ProviderId } from '../task-spec/plugin-options';
import { describeAgentWarning, honouredSettings, type AgentWarning } from '../task-spec/provider-capabilities';
import type { ResolvedTaskRun } from '../task-spec/resolved-task-run';
import { formatDuration } from '../task-spec/duration';
import { AgentError, type AgentAdapter, type AgentEvent, type AgentRunRequest, type AgentRunResult } from './agent-adapter';
import { assemblePrompt, type UpstreamSummary } from './assemble-prompt';
import { AttemptHistory } from './attempt-history';
import { remainingTaskBudget, reportAttempt, type AttemptHooks } from './attempt-hooks';
import { createAgent } from './create-agent';
import { redactDeep, secretRedactor } from './redact-secrets';
import { withRetries } from './retry';
import { describeWriteScope, writeScopeFailure } from './isolation/describe-write-scope';
import type { TaskWorkspace, WriteScopeReport } from './isolation/task-workspace';
import { trackChildProcessExits, type StopCheck } from './stop-check';
import { verifyTask, type VerificationRecord, type VerifyTurn } from './verify/verify-task';
import { TRANSCRIPT_FILE } from '../runs/run-folders';
import { clearRunRecord, readRunRecord, runRecordPath, writeRunRecord, type RunRecord, type RunStatus } from '../runs/run-record';

/** The longest delay `setTimeout` takes (2^31 - 1 ms, about 596 h); a longer one fires at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export interface RunAgentTaskRequest {
  workspaceRoot: string;
  /** The task, resolved once (resolveTaskRun): its spec, project, agent and script. */
  run: ResolvedTaskRun;
  /** The agent tasks this one depends on directly, whose summaries it receives. */
  upstream: ReadonlyArray<{ project: string; task: string }>;
  /** Aborted by Ctrl-C / SIGTERM of the run. */
  signal: AbortSignal;
  /** A stop that may not have reached `signal` yet; awaited before a run is recorded as a success or a failure. */
  stopRequested?: (check: StopCheck) => boolean | Promise<boolean>;
  /** One line of progress for the task's terminal output. */
  log: (line: string) => void;
  /** Injectable for tests. */
  createAdapter?: (provider: ProviderId) => AgentAdapter;
  now?: () => Date;
  /** The environment agents start from; default process.env (read here only, never changed). */
  env?: NodeJS.ProcessEnv;
  /** Waits and notices around each attempt (a provider's shared backoff, the run budget's spend). */
  attemptHooks?: AttemptHooks;
  /**
   * Where the agent and its verify checks work, opened by the caller (openTaskWorkspace): its
   * own worktree or the shared checkout. Settled here, after the checks and before the record
   * is written; closed by the caller. Default: the workspace root, its write scope unchecked.
   */
  workspace?: Pick<TaskWorkspace, 'cwd' | 'isolated' | 'settle'>;
}

/** Where a run that does not land keeps its worktree's changes (`git apply` takes it). */
export const UNLANDED_CHANGES_FILE = 'changes.patch';

/**
 * Runs one resolved agent task end to end: assemble the prompt with the upstream
 * summaries, run with retries and a timeout, and write the run record and transcript.
 * The record is written whatever the outcome; its status says whether the run succeeded,
 * and it lists every attempt, whose tokens and cost all count.
 */
export async function runAgentTask(request: RunAgentTaskRequest): Promise<RunRecord> {
  const { workspaceRoot, run } = request;
  const { task, agent: resolved } = run;
  const project = run.project.name;
  const env = request.env ?? process.env;
  // Whatever an adapter does, no key reaches the terminal, the transcript or the record.
  const redact = secretRedactor({ ...env, ...resolved.profile.env });
  const log = (line: string) => request.log(redact(line));
  const now = request.now ?? (() => new Date());
  const startedAt = now();
  clearRunRecord(workspaceRoot, project, task.id);
  const folder = runRecordPath(workspaceRoot, project, task.id);
  mkdirSync(folder, { recursive: true });
  // Redacted before JSON escapes a quote or backslash of a secret, and again after.
  const transcript = (entry: Record<string, unknown>) =>
    appendFileSync(join(folder, TRANSCRIPT_FILE), `${redact(JSON.stringify(redactDeep({ time: now().toISOString(), ...entry }, redact)))}\n`);

  const base = {
    schemaVersion: 1 as const,
    project,
    task: task.id,
    spec: task.file,
    upstream: request.upstream.map((item) => `${item.project}:${item.task}`),
    // Fields another tool wrote into the task (issue, points, ...), kept as written.
    ...(task.extra ? { sourceFields: task.extra } : {}),
  };
  const profile = resolved.profile;
  const history = new AttemptHistory(() => now().getTime());
  const warnings = new Map<string, AgentWarning>(run.warnings.map((warning) => [JSON.stringify(warning), warning]));
  const describeWarning = (warning: AgentWarning) => `warning: ${describeAgentWarning(warning, resolved.provider, profile)}`;
  const cwd = request.workspace?.cwd ?? workspaceRoot;
  let verification: VerificationRecord | undefined;
  let writeScope: WriteScopeReport | undefined;
  // Settled once, whatever the outcome: a run that did not succeed copies nothing back.
  const settle = async (succeeded: boolean, filesWritten: readonly string[]) => {
    if (!request.workspace || writeScope) return writeScope;
    writeScope = await request.workspace.settle({ succeeded, reportedFiles: filesWritten, patchFile: join(folder, UNLANDED_CHANGES_FILE) });
    for (const line of describeWriteScope(writeScope)) log(`  ${line}`);
    return writeScope;
  };
  const finish = (status: RunStatus, result: Partial<AgentRunResult>, error?: string): RunRecord => {
    const endedAt = now();
    const record: RunRecord = {
      ...base,
      status,
      agent: resolved.name,
      provider: resolved.provider,
      // The model the run was asked to use is what a failed run records, having no answer naming one.
      model: result.model ?? profile.model ?? '',
      attempts: history.count,
      turns: result.turns ?? 0,
      tokens: history.tokens(),
      ...history.cost(profile.model),
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - startedAt.getTime(),
      summary: redact(result.summary ?? ''),
      filesWritten: result.filesWritten ?? [],
      ...(error ? { error: redact(error) } : {}),
      attemptHistory: history.entries(redact),
      warnings: redactDeep([...warnings.values()], redact),
      ...(result.sessionId ? { sessionId: result.sessionId } : {}),
      ...(verification ? { verification } : {}),
      ...(writeScope ? { writeScope } : {}),
    };
    transcript({ type: 'result', status, ...(error ? { error } : {}) });
    writeRunRecord(workspaceRoot, record);
    return record;
  };

  const timeoutMs = task.timeoutMs === undefined ? undefined : Math.min(task.timeoutMs, MAX_TIMER_MS);
  const timeout = new AbortController();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => timeout.abort(), timeoutMs);
  const signal = AbortSignal.any([request.signal, timeout.signal]);
  const childProcesses = trackChildProcessExits(() => now().getTime());
  // May wait (the sentinel is given a moment, from the last child process's exit, to report a stop that is on its way).
  const stopped = async () => signal.aborted || ((await request.stopRequested?.(childProcesses.stopCheck())) ?? false);
  try {
    const adapter = (request.createAdapter ?? ((provider) => createAgent(provider, { env })))(resolved.provider);
    const upstream = readUpstreamSummaries(workspaceRoot, request.upstream);
    const prompt = assemblePrompt(task.prompt, task.inputs, upstream);
    log(
      `${project}:${task.id} · agent ${resolved.name} (${resolved.provider}${profile.model ? `, ${profile.model}` : ''})${upstream.length ? ` · ${upstream.length} upstream summar${upstream.length === 1 ? 'y' : 'ies'}` : ''}`,
    );
    if (timeoutMs !== task.timeoutMs) {
      log(`  timeout ${formatDuration(task.timeoutMs ?? 0)} is longer than the longest timer Node supports: using ${formatDuration(MAX_TIMER_MS)}`);
    }
    for (const warning of run.warnings) log(`  ${describeWarning(warning)}`);
    const onEvent = (event: AgentEvent) => {
      transcript({ type: 'event', event });
      if (event.type === 'warning') {
        const key = JSON.stringify(event.warning);
        if (warnings.has(key)) return;
        warnings.set(key, event.warning);
      }
      const line = event.type === 'warning' ? describeWarning(event.warning) : describeEvent(event);
      if (line) log(`  ${line}`);
    };
    const hooks = request.attemptHooks;
    // The task's own maxCost / maxTokens, less what earlier attempts spent, for a client that stops itself there.
    const taskBudget = () =>
      remainingTaskBudget(task, { costUsd: history.cost(profile.model).costUsd, tokens: totalTokens(history) }, adapter.capabilities.budget);
    const attemptRequest = (attempt: number, turn: VerifyTurn): AgentRunRequest => ({
      taskId: task.id,
      prompt: turn.prompt,
      ...(turn.resumeSessionId ? { resumeSessionId: turn.resumeSessionId } : {}),
      // Settings the provider does not honour were reported at graph time and are left out.
      ...honouredSettings(resolved.provider, {
        systemPrompt: profile.systemPrompt,
        model: profile.model,
        tools: profile.tools,
        maxTurns: profile.maxTurns,
        permissionMode: profile.permissionMode,
      }),
      env: profile.env,
      cwd,
      workspaceRoot,
      projectRoot: run.project.root,
      attempt,
      providerOptions: {
        ...(profile.command && { command: { argv: profile.command } }),
        ...(run.script && { scripted: { script: run.script } }),
      },
      ...taskBudget().request,
      ...(hooks?.beforeModelRequest && { beforeModelRequest: hooks.beforeModelRequest }),
      signal,
      onEvent,
    });
    // One agent turn with its retries. A verify follow-up is another turn: its attempts are numbered on from the
    // turn before (in the record, and for the hooks and the task budget, which count every attempt of the task).
    const runTurn = async (turn: VerifyTurn) => {
      transcript({
        type: 'prompt',
        ...(turn.round > 1 ? { round: turn.round, turn: turn.kind } : {}),
        systemPrompt: profile.systemPrompt,
        prompt: turn.prompt,
      });
      const earlier = history.count;
      const { value } = await withRetries(
        (turnAttempt) => {
          const attempt = earlier + turnAttempt;
          if (turnAttempt > 1) log(`  attempt ${turnAttempt} of ${task.retries + 1}`);
          const runAttempt = () => adapter.run(attemptRequest(attempt, turn)).finally(() => adapter.runsInProcess || childProcesses.exited());
          const tracked = () => history.track(attempt, runAttempt, stopped);
          return reportAttempt({ attempt, hooks, history, model: profile.model, now: () => now().getTime() }, tracked);
        },
        {
          onRateLimited: hooks?.onRateLimited,
          beforeAttempt: async (turnAttempt) => {
            const attempt = earlier + turnAttempt;
            const spentMessage = attempt > 1 ? taskBudget().spentMessage : undefined;
            if (spentMessage) throw new AgentError(spentMessage, { isRetryable: false });
            await hooks?.beforeAttempt?.(attempt);
          },
          retries: task.retries,
          baseDelayMs: adapter.retryBaseDelayMs,
          signal,
          deadline: timeoutMs === undefined ? undefined : startedAt.getTime() + timeoutMs,
          now: () => now().getTime(),
          onRetry: ({ attempt, delayMs, error }) => log(`  attempt ${attempt} failed (${error.message}); retrying in ${formatDuration(delayMs)}`),
        },
      );
      return value;
    };
    const verified = await verifyTask({
      run,
      prompt,
      cwd,
      isolated: request.workspace?.isolated ?? false,
      canResume: adapter.capabilities.resume,
      signal,
      runTurn,
      // Called as each round's checks (child processes) have ended.
      onProgress: (progress) => {
        verification = progress;
        childProcesses.exited();
      },
      log,
      env,
    });
    const value = verified.result;
    if (!verified.passed && !verified.stopped) {
      await settle(false, value.filesWritten);
      throw new AgentError(`verify failed after ${verified.rounds} attempt${verified.rounds === 1 ? '' : 's'}: ${verified.failedChecks.join(', ')}`, {
        isRetryable: false,
      });
    }
    // A stop that arrived while the agent was finishing wins: an interrupted run never
    // claims success (its agent may have exited 0 only because its children were killed).
    if (verified.stopped || (await stopped())) throw new AgentError('stopped before the run could be recorded as a success', { isRetryable: false });
    const scope = await settle(true, value.filesWritten);
    if (scope?.failsTask) return finish('failed', value, writeScopeFailure(scope));
    const record = finish('succeeded', value);
    log(doneLine(record));
    log(`summary: ${record.summary}`);
    return record;
  } catch (caught) {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    const status: RunStatus = timeout.signal.aborted ? 'timed-out' : (await stopped()) ? 'interrupted' : 'failed';
    const message = status === 'timed-out' ? `timed out after ${formatDuration(timeoutMs ?? 0)} (timeout in ${task.file})` : error.message;
    await settle(false, []).catch((settleError: unknown) => log(`  could not check the run's changes: ${(settleError as Error).message}`));
    return finish(status, {}, message);
  } finally {
    clearTimeout(timer);
  }
}

/** `done in 5.0s · 4 turns · 1000 tokens in / 200 out · $0.2500 · wrote 1 file`; estimated counts read `~12 tokens in (estimated)`. */
function doneLine(record: RunRecord): string {
  const approximately = record.tokens.estimated ? '~' : '';
  const tokens = `${approximately}${record.tokens.input} tokens in / ${approximately}${record.tokens.output} out${record.tokens.estimated ? ' (estimated)' : ''}`;
  const failed = (record.attemptHistory ?? []).filter((attempt) => attempt.outcome !== 'succeeded');
  const failedTokens = failed.reduce((total, attempt) => total + attempt.tokens.input + attempt.tokens.output, 0);
  return [
    `done in ${formatDuration(record.durationMs)}`,
    `${record.turns} turn${record.turns === 1 ? '' : 's'}`,
    failedTokens ? `${tokens} (${failedTokens} of them in failed attempts)` : tokens,
    record.costUsd === null ? 'cost unknown' : `$${record.costUsd.toFixed(4)}`,
    ...(record.filesWritten.length ? [`wrote ${record.filesWritten.length} file${record.filesWritten.length === 1 ? '' : 's'}`] : []),
  ].join(' · ');
}

function totalTokens(history: AttemptHistory): number {
  const tokens = history.tokens();
  return tokens.input + tokens.output;
}

/** Final summaries of the upstream tasks that succeeded, read from their run records. */
function readUpstreamSummaries(workspaceRoot: string, upstream: RunAgentTaskRequest['upstream']): UpstreamSummary[] {
  return upstream.flatMap(({ project, task }) => {
    const record = readRunRecord(workspaceRoot, project, task);
    return record?.status === 'succeeded' ? [{ task: `${project}:${task}`, summary: record.summary }] : [];
  });
}

function describeEvent(event: Exclude<AgentEvent, { type: 'warning' }>): string | undefined {
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
