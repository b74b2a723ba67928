import { AgentError, hasErrorMarker } from './agent-error';

/**
 * Why the retries ended: the last attempt was the last allowed; an error no retry can fix; the
 * run was stopped; or the next wait would end after the task's timeout.
 */
export type RetryErrorReason = 'maxRetriesExceeded' | 'errorNotRetryable' | 'abort' | 'deadlineExceeded';

const MARKER = 'nx-agent-orchestrator.retry-error';

/**
 * The end of a run whose every attempt failed: the reason, and every attempt's error in order
 * (`errors`, `lastError`). Its status, exit code and usage are the last attempt's.
 */
export class RetryError extends AgentError {
  readonly reason: RetryErrorReason;
  readonly errors: Error[];
  readonly lastError: Error;

  constructor(details: { reason: RetryErrorReason; errors: Error[]; note?: string }) {
    const last = details.errors[details.errors.length - 1];
    const list = details.errors.map((error, index) => `  attempt ${index + 1}: ${error.message}`).join('\n');
    const message = details.errors.length === 1 ? last.message : `failed after ${details.errors.length} attempts:\n${list}`;
    const agentError = AgentError.isInstance(last) ? last : undefined;
    super(details.note ? `${message}\n  ${details.note}` : message, {
      isRetryable: false,
      statusCode: agentError?.statusCode,
      exitCode: agentError?.exitCode,
      cause: last,
    });
    Object.defineProperty(this, Symbol.for(MARKER), { value: true });
    this.name = 'RetryError';
    this.reason = details.reason;
    this.errors = details.errors;
    this.lastError = last;
  }

  static override isInstance(value: unknown): value is RetryError {
    return hasErrorMarker(value, MARKER);
  }
}
