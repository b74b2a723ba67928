/** What kind of problem a spec has; stable names that tests and tools can match on. */
export type SpecErrorCode =
  | 'syntax'
  | 'unknown-field'
  | 'invalid-field'
  | 'missing-prompt'
  | 'invalid-id'
  | 'duplicate-id'
  | 'unknown-dependency'
  | 'cycle'
  | 'unknown-agent'
  | 'unsupported-setting'
  | 'unsafe-name'
  | 'stale-graph'
  | 'missing-file'
  | 'parallel-claim'
  | 'write-conflict'
  | 'write-race'
  | 'path-outside'
  | 'unreadable'
  | 'other-format'
  | 'dependency-note';

/** A problem with one spec file, located as precisely as the parser could. */
export interface SpecProblem {
  code: SpecErrorCode;
  /** Workspace-relative path of the spec file. */
  file: string;
  /** 1-based line in the file, where known. */
  line?: number;
  /** The task the problem belongs to, where it belongs to one. */
  taskId?: string;
  message: string;
}

/** The longest message printed for one problem: whatever a file holds, a report line stays readable. */
const MAX_PRINTED_MESSAGE = 1_000;

/** `path/to/file.agent.md:12: message`: how every spec problem is printed. */
export function formatSpecProblem(problem: SpecProblem): string {
  const location = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  const message = problem.message.length > MAX_PRINTED_MESSAGE ? `${problem.message.slice(0, MAX_PRINTED_MESSAGE)}...` : problem.message;
  return `${location}: ${message}`;
}
