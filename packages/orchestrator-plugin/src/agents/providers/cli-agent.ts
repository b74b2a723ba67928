import type { ProviderId } from '../../task-spec/plugin-options';
import {
  AgentError,
  defineAgentAdapter,
  type AgentAdapter,
  type AgentRunRequest,
  type AgentRunResult,
  type AgentUsage,
  type AgentWarning,
} from '../agent-adapter';
import type { AgentDependencies } from '../create-agent';
import { findExecutable } from '../process/find-executable';
import { runProcess, type ProcessOutcome } from '../process/run-process';
import { secretRedactor, type Redact } from '../redact-secrets';

/** Injectable I/O of every CLI adapter, for tests. */
export interface CliAgentDependencies extends AgentDependencies {
  runProcess?: typeof runProcess;
  findExecutable?: typeof findExecutable;
}

/** What one CLI run is started with. */
export interface CliInvocation {
  args: string[];
  /** The prompt goes on stdin: no argv length limit, and a prompt starting with "-" stays a prompt. */
  stdin: string;
  /** The process environment; default the run's (the adapter's env with the profile's over it). */
  env?: NodeJS.ProcessEnv;
  /** The progress line that says what runs: `running claude -p --model …`. */
  status: string;
  warnings?: AgentWarning[];
  /** Other things the run changed or adapted, shown as status lines. */
  notes?: string[];
  /** Removes what the invocation prepared (a settings folder); called however the run ends. */
  cleanup?: () => void;
}

/** A parser of the CLI's JSON lines, with what it has seen so far. */
export interface CliStream {
  /** Reads one (redacted) stdout line; true means the process must be stopped now. */
  handleLine(line: string): boolean | void;
  /** What the run used so far: a failed attempt is paid for too. */
  usage(): AgentUsage;
}

/** What the CLI-specific parts are given. */
export interface CliRunContext {
  request: AgentRunRequest;
  /** The run's environment: the adapter's, the profile's over it. */
  env: NodeJS.ProcessEnv;
  redact: Redact;
}

/** One CLI provider: the parts that differ between claude, codex and gemini. */
export interface CliAgentDefinition<Stream extends CliStream, Invocation extends CliInvocation = CliInvocation> {
  provider: ProviderId;
  /** The executable's name, looked up on PATH then in the workspace's node_modules/.bin. */
  executable: string;
  /** How to install it, for the message when it is missing: `npm i -D @openai/codex`. */
  installHint: string;
  /** The run's environment from the adapter's and the request's; default: the profile's over the adapter's. */
  environment?: (env: NodeJS.ProcessEnv, request: AgentRunRequest) => NodeJS.ProcessEnv;
  /** What to start; it may carry more for `outcome` (the endpoint, the start time). */
  invocation(context: CliRunContext): Invocation;
  stream(context: CliRunContext): Stream;
  /** Stderr lines not worth showing (start-up chatter). */
  isStderrNoise?: (line: string) => boolean;
  /** The result of the finished process, or the AgentError that says why it failed and whether to retry. */
  outcome(context: CliRunContext & { stream: Stream; process: ProcessOutcome; invocation: Invocation }): Omit<AgentRunResult, 'warnings'>;
}

/**
 * An adapter for an agent CLI. The skeleton every CLI shares: find the executable (with the
 * install command when it is missing), start it in the agent's working directory in its own
 * process group with the prompt on stdin, redact every stdout line before it is parsed (a key
 * echoed in a JSON-escaped string never reaches a parser, a progress line or a cut), stream the
 * lines to the CLI's parser, show meaningful stderr, and turn the ended process into a result
 * or a classified AgentError that carries the attempt's usage.
 */
export function createCliAgent<Stream extends CliStream, Invocation extends CliInvocation>(
  definition: CliAgentDefinition<Stream, Invocation>,
  dependencies: CliAgentDependencies,
): AgentAdapter {
  const run = dependencies.runProcess ?? runProcess;
  const find = dependencies.findExecutable ?? findExecutable;
  return defineAgentAdapter({
    provider: definition.provider,
    async run(request) {
      const env = definition.environment?.(dependencies.env, request) ?? { ...dependencies.env, ...request.env };
      const executable = find(definition.executable, request.workspaceRoot, env, definition.installHint);
      const context: CliRunContext = { request, env, redact: secretRedactor(env) };
      const invocation = definition.invocation(context);
      try {
        for (const warning of invocation.warnings ?? []) request.onEvent({ type: 'warning', warning });
        for (const note of invocation.notes ?? []) request.onEvent({ type: 'status', message: note });
        request.onEvent({ type: 'status', message: `${invocation.status}${request.attempt > 1 ? ` (attempt ${request.attempt})` : ''}` });
        const stream = definition.stream(context);
        // The adapter stops the CLI itself when its parser says so (a loop it never leaves, maxTurns).
        const stop = new AbortController();
        const outcome = await run({
          command: executable,
          args: invocation.args,
          cwd: request.cwd,
          env: invocation.env ?? env,
          stdin: invocation.stdin,
          signal: AbortSignal.any([request.signal, stop.signal]),
          onStdoutLine: (line) => {
            if (stream.handleLine(context.redact(line))) stop.abort();
          },
          onStderrLine: (line) => {
            if (line.trim() && !definition.isStderrNoise?.(line))
              request.onEvent({ type: 'status', message: `${definition.executable}: ${context.redact(line)}` });
          },
        });
        try {
          return definition.outcome({ ...context, stream, process: outcome, invocation });
        } catch (error) {
          if (AgentError.isInstance(error) && !error.usage) error.usage = stream.usage();
          throw error;
        }
      } finally {
        invocation.cleanup?.();
      }
    },
  });
}

/** The last `limit` characters of a process's stderr (else stdout), redacted before the cut. */
export function processTail(outcome: Pick<ProcessOutcome, 'stderrTail' | 'stdout'>, limit: number, redact: Redact): string {
  return redact(outcome.stderrTail.trim() || outcome.stdout.trim()).slice(-limit);
}
