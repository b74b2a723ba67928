import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentAdapter, AgentError, AgentEvent, AgentRunRequest, AgentRunResult } from '../agents/agent-adapter';
import { agentRunRequest } from './agent-run-request';
import { startModelServer, type ModelScript, type ModelServer, type ModelTurn, type RecordedRequest } from './model-server';

/** How one agent run against the scripted model server went. */
export interface ScriptedAgentRun {
  /** Set when the run succeeded. */
  result?: AgentRunResult;
  /** Set when the run failed: tests assert on failures as values, not as rejections. */
  error?: AgentError;
  events: AgentEvent[];
  /** The model requests (route `generate`) the server received during the run. */
  requests: RecordedRequest[];
}

/** Temporary folders and scripted model servers for one spec file, cleaned up after each test. */
export interface AgentTestHarness {
  /** A new empty folder, removed after the test. */
  folder(): string;
  /** Starts a scripted model server, closed after the test; it becomes `server`. */
  startServer(script: ModelScript | ModelTurn[]): Promise<ModelServer>;
  /** The server started last in this test, if any. */
  readonly server: ModelServer | undefined;
  /** Runs `agent` on `agentRunRequest(overrides)` and reports what came of it. */
  runAgent(agent: AgentAdapter, overrides?: Partial<AgentRunRequest>): Promise<ScriptedAgentRun>;
}

/**
 * Registers an `afterEach` that closes every server and removes every folder the test made,
 * so each spec file gets the same cleanup without repeating it. Call it in a describe block
 * (or at the top of the file); `folderPrefix` names the folders after the spec, for anyone
 * looking at a left-over one.
 */
export function useAgentTestHarness(folderPrefix: string): AgentTestHarness {
  let folders: string[] = [];
  let servers: ModelServer[] = [];

  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    servers = [];
    for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    folders = [];
  });

  return {
    folder() {
      const folder = mkdtempSync(join(tmpdir(), folderPrefix));
      folders.push(folder);
      return folder;
    },
    async startServer(script) {
      const server = await startModelServer(script);
      servers.push(server);
      return server;
    },
    get server() {
      return servers.at(-1);
    },
    async runAgent(agent, overrides = {}) {
      const request = agentRunRequest(overrides);
      const outcome = await agent.run(request).then(
        (result) => ({ result, error: undefined }),
        (error: AgentError) => ({ result: undefined, error }),
      );
      const requests = servers.at(-1)?.requests.filter((recorded) => recorded.route === 'generate') ?? [];
      return { ...outcome, events: request.events, requests };
    },
  };
}
