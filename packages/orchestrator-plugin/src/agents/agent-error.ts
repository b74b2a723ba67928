import type { AgentWarning } from '../task-spec/provider-capabilities';

/** Tokens (and cost, where the client says) one attempt used, success or not. */
export interface AgentUsage {
  inputTokens: number;
  outputTokens: number;
  /** From the client where it reports cost; otherwise the caller prices the tokens. */
  costUsd?: number;
  /** The token counts are the adapter's estimate, not the client's (the scripted agent). */
  estimated?: boolean;
  /** The model that used them, where known. */
  model?: string;
}

/** What an AgentError carries besides its message, as the failed attempt knew it. */
export interface AgentErrorDetails {
  isRetryable: boolean;
  statusCode?: number;
  responseHeaders?: Record<string, string>;
  responseBody?: string;
  /** How long the server asked to wait before the next attempt. */
  retryAfterMs?: number;
  exitCode?: number;
  cause?: unknown;
  /** What the failed attempt used: failed attempts are paid for too. */
  usage?: AgentUsage;
  warnings?: AgentWarning[];
}

const MARKER = 'nx-agent-orchestrator.agent-error';

/** Whether `value` carries the marker `name` (a `Symbol.for` key, so it holds across copies of this package). */
export function hasErrorMarker(value: unknown, name: string): boolean {
  const symbol = Symbol.for(name);
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[symbol] === true;
}

/**
 * A failed attempt, carrying what retry decisions and the run record need. Recognise it with
 * {@link AgentError.isInstance}, not `instanceof`: two copies of the plugin (a workspace's and
 * a global one, or a test runner's module realms) have two classes but one marker.
 * The signature mirrors `new Error(message, options)`.
 */
export class AgentError extends Error {
  readonly isRetryable: boolean;
  readonly statusCode?: number;
  readonly responseHeaders?: Record<string, string>;
  readonly responseBody?: string;
  readonly retryAfterMs?: number;
  readonly exitCode?: number;
  /** Set by the adapter that threw, or later by its skeleton once it knows the attempt's tokens. */
  usage?: AgentUsage;
  warnings?: AgentWarning[];

  constructor(message: string, details: AgentErrorDetails) {
    super(message, { cause: details.cause });
    Object.defineProperty(this, Symbol.for(MARKER), { value: true });
    this.name = 'AgentError';
    this.isRetryable = details.isRetryable;
    this.statusCode = details.statusCode;
    this.responseHeaders = details.responseHeaders;
    this.responseBody = details.responseBody;
    this.retryAfterMs = details.retryAfterMs;
    this.exitCode = details.exitCode;
    this.usage = details.usage;
    this.warnings = details.warnings;
  }

  static isInstance(value: unknown): value is AgentError {
    return hasErrorMarker(value, MARKER);
  }
}

const UNSUPPORTED_MARKER = 'nx-agent-orchestrator.unsupported-error';

/**
 * A request for something this adapter cannot do (a setting its provider does not honour, a
 * resumed session, a budget): fails at once, never retried. `feature` names what was asked.
 */
export class UnsupportedFeatureError extends AgentError {
  readonly feature: string;

  constructor(message: string, details: { feature: string }) {
    super(message, { isRetryable: false });
    Object.defineProperty(this, Symbol.for(UNSUPPORTED_MARKER), { value: true });
    this.name = 'UnsupportedFeatureError';
    this.feature = details.feature;
  }

  static override isInstance(value: unknown): value is UnsupportedFeatureError {
    return hasErrorMarker(value, UNSUPPORTED_MARKER);
  }
}

/** Anything thrown, as an Error (a thrown string or object becomes one). */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(typeof value === 'string' ? value : String(value));
}
