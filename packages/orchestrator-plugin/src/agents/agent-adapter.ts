import type { ScriptSpec } from '../task-spec/schema';

/** Version of the adapter contract below; bump it when a field changes meaning. */
export const AGENT_ADAPTER_VERSION = 1;

/** Something an agent did, for live progress and the transcript. */
export type AgentEvent =
  | { type: 'status'; message: string }
  | { type: 'turn'; turn: number }
  | { type: 'tool'; name: string; detail?: string }
  | { type: 'file'; path: string }
  | { type: 'text'; text: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number };

/** One attempt at a task, as every adapter receives it. */
export interface AgentRunRequest {
  taskId: string;
  prompt: string;
  systemPrompt?: string;
  model?: string;
  tools?: string[];
  maxTurns?: number;
  permissionMode?: string;
  /** Extra environment for the agent process (from the profile). */
  env?: Record<string, string>;
  /** The agent's working directory: the workspace root. */
  cwd: string;
  projectRoot: string;
  attempt: number;
  /** Provider "command" only: the argv to run. */
  command?: string[];
  /** Scripted agent only: what to do instead of calling a model. */
  script?: ScriptSpec;
  signal: AbortSignal;
  onEvent: (event: AgentEvent) => void;
}

/** What one successful attempt produced. */
export interface AgentRunResult {
  summary: string;
  model: string;
  turns: number;
  /** Every prompt token the model processed, cached ones included. */
  inputTokens: number;
  outputTokens: number;
  /** From the client where it reports cost; otherwise the caller prices the tokens. */
  costUsd?: number;
  /** Workspace-relative paths. */
  filesWritten: string[];
}

/** One provider behind one small interface. */
export interface AgentAdapter {
  readonly provider: string;
  /** Base of the exponential backoff between attempts. */
  readonly retryBaseDelayMs?: number;
  run(request: AgentRunRequest): Promise<AgentRunResult>;
}

/** A failed attempt, carrying what retry decisions need. */
export class AgentError extends Error {
  readonly isRetryable: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  readonly exitCode?: number;

  constructor(message: string, details: { isRetryable: boolean; statusCode?: number; retryAfterMs?: number; exitCode?: number; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.name = 'AgentError';
    this.isRetryable = details.isRetryable;
    this.statusCode = details.statusCode;
    this.retryAfterMs = details.retryAfterMs;
    this.exitCode = details.exitCode;
  }
}

/** A setting or provider this version cannot run: fails at once, never retried. */
export class UnsupportedAgentError extends AgentError {
  constructor(message: string) {
    super(message, { isRetryable: false });
    this.name = 'UnsupportedAgentError';
  }
}
