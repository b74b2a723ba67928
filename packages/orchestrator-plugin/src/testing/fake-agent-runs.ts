import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentError, type AgentAdapter, type AgentRunRequest, type AgentRunResult } from '../agents/agent-adapter';
import { runAgentTask, type RunAgentTaskRequest } from '../agents/run-agent-task';
import { RUN_RECORD_FILE, runRecordFolder, TRANSCRIPT_FILE } from '../runs/run-folders';
import type { NormalizedPluginOptions, ProviderId } from '../task-spec/plugin-options';
import { PROVIDER_CAPABILITIES } from '../task-spec/provider-capabilities';
import type { TaskSpec } from '../task-spec/schema';
import { resolvedRun } from './resolved-run';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

/** Task `write-api` of project `api`, run by profile `implementer`, with `overrides`. */
export const fakeTask = (overrides: Partial<TaskSpec> = {}): TaskSpec => ({
  id: 'write-api',
  prompt: 'Write the API.',
  agent: 'implementer',
  dependsOn: [],
  after: [],
  inputs: [],
  outputs: [],
  writes: [],
  retries: 2,
  cache: true,
  file: 'apps/api/write-api.agent.md',
  format: 'agent-md',
  ...overrides,
});

/** A successful attempt's result, with `overrides`. */
export const fakeSuccess = (overrides: Partial<AgentRunResult> = {}): AgentRunResult => ({
  summary: 'Wrote 3 endpoints.',
  model: 'claude-sonnet-4',
  turns: 4,
  inputTokens: 1_000,
  outputTokens: 200,
  filesWritten: ['apps/api/src/a.ts'],
  warnings: [],
  ...overrides,
});

/** Resolves never by itself: rejects once the request's signal aborts (a well-behaved adapter). */
export const waitForAbort = (request: AgentRunRequest) =>
  new Promise<AgentRunResult>((_, reject) => request.signal.addEventListener('abort', () => reject(new AgentError('aborted', { isRetryable: false }))));

/**
 * runAgentTask with fake adapters on a temp workspace and a fake clock (5 s per attempt), for
 * one spec file: registers the folder's creation and removal around each test.
 */
export function useFakeAgentRuns(options: NormalizedPluginOptions) {
  let workspaceRoot = '';
  let time = T0;
  beforeEach(() => {
    workspaceRoot = mkdtempSync(join(tmpdir(), 'run-agent-task-'));
    time = T0;
  });
  afterEach(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  return {
    get workspaceRoot() {
      return workspaceRoot;
    },
    /** A fake adapter of `provider`: each call runs the next behaviour; the clock advances 5 s per attempt. */
    fakeAdapter(behaviours: Array<(request: AgentRunRequest) => Promise<AgentRunResult>>, provider: ProviderId = 'anthropic') {
      const requests: AgentRunRequest[] = [];
      const adapter: AgentAdapter = {
        specificationVersion: 'v2',
        provider,
        capabilities: PROVIDER_CAPABILITIES[provider],
        retryBaseDelayMs: 1,
        run: async (request) => {
          requests.push(request);
          time += 5_000;
          return behaviours[Math.min(requests.length, behaviours.length) - 1](request);
        },
      };
      return { adapter, requests };
    },
    /** Runs `task` (default fakeTask()) with `adapter`; checks the record on disk is the one returned, and reads the transcript. */
    async run(adapter: AgentAdapter, { task: spec = fakeTask(), ...overrides }: Partial<RunAgentTaskRequest> & { task?: TaskSpec } = {}) {
      const log: string[] = [];
      const record = await runAgentTask({
        workspaceRoot,
        run: resolvedRun(spec, options),
        upstream: [],
        signal: new AbortController().signal,
        log: (line) => log.push(line),
        createAdapter: () => adapter,
        now: () => new Date(time),
        ...overrides,
      });
      const folder = join(workspaceRoot, runRecordFolder(record.project, record.task));
      const transcript = readFileSync(join(folder, TRANSCRIPT_FILE), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(JSON.parse(readFileSync(join(folder, RUN_RECORD_FILE), 'utf8'))).toEqual(record);
      return { record, log, transcript };
    },
  };
}
