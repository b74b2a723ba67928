import type { AgentEvent, AgentRunRequest } from '../agents/agent-adapter';

/** A request with the events the agent reported, in order, for assertions. */
export type RecordingAgentRunRequest = AgentRunRequest & { events: AgentEvent[] };

/**
 * One attempt at task `t` of project `apps/a` in `/workspace` (or in `overrides.cwd`, which is
 * then the workspace root too), with `overrides` applied. Every event the agent reports lands
 * in `events`, so a test can assert on the progress it showed.
 */
export function agentRunRequest(overrides: Partial<AgentRunRequest> = {}): RecordingAgentRunRequest {
  const events: AgentEvent[] = [];
  return {
    taskId: 't',
    prompt: 'Write the file',
    cwd: '/workspace',
    projectRoot: 'apps/a',
    attempt: 1,
    signal: new AbortController().signal,
    onEvent: (event) => events.push(event),
    events,
    ...overrides,
    workspaceRoot: overrides.workspaceRoot ?? overrides.cwd ?? '/workspace',
  };
}
