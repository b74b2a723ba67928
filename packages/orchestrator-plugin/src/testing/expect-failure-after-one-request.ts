import { AgentError } from '../agents/agent-adapter';
import type { ScriptedAgentRun } from './agent-test-harness';

/** The AgentError a run must end in. */
export interface ExpectedFailure {
  isRetryable: boolean;
  statusCode?: number;
  /** What the message must match. */
  message: RegExp;
}

/**
 * Asserts that `run` sent exactly one model request (neither the CLI nor the adapter retried
 * it: retries belong to the caller) and ended in the AgentError `expected`, whose message does
 * not show `secret`.
 */
export function expectFailureAfterOneRequest(run: ScriptedAgentRun, expected: ExpectedFailure, secret: string): void {
  const { message, ...details } = expected;
  expect(run.requests).toHaveLength(1);
  expect(run.error).toBeInstanceOf(AgentError);
  expect(run.error).toMatchObject(details);
  expect(run.error?.message).toMatch(message);
  expect(run.error?.message).not.toContain(secret);
}
