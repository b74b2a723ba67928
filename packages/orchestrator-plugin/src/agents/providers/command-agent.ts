import { AgentError, defineAgentAdapter, UnsupportedFeatureError, type AgentAdapter } from '../agent-adapter';
import type { AgentDependencies } from '../create-agent';
import { runProcess } from '../process/run-process';
import { secretRedactor } from '../redact-secrets';
import { processTail } from './cli-agent';

const PROMPT_PLACEHOLDER = '{prompt}';
const SUMMARY_LIMIT = 4_000;

/** Injectable I/O, for tests. */
export interface CommandAgentDependencies extends AgentDependencies {
  runProcess?: typeof runProcess;
}

/**
 * Runs any command as the agent: the profile's `command` argv (`providerOptions.command`), with
 * the prompt as the argument `{prompt}` or, without one, on stdin. Its stdout is the summary
 * (the last 4,000 characters, cut after secrets are redacted); a non-zero exit is a failure. It
 * reports no tokens and no cost, and honours none of the profile's settings (see the table).
 */
export function createCommandAgent(dependencies: CommandAgentDependencies): AgentAdapter {
  const run = dependencies.runProcess ?? runProcess;
  return defineAgentAdapter({
    provider: 'command',
    async run(request) {
      const argv = request.providerOptions?.command?.argv;
      if (!argv?.length) {
        throw new UnsupportedFeatureError('provider "command" needs a "command" in its profile, e.g. "command": ["my-agent", "--prompt", "{prompt}"]', {
          feature: 'command',
        });
      }
      const env = { ...dependencies.env, ...request.env };
      const redact = secretRedactor(env);
      const promptAsArgument = argv.includes(PROMPT_PLACEHOLDER);
      const [command, ...args] = argv.map((part) => (part === PROMPT_PLACEHOLDER ? request.prompt : part));
      request.onEvent({ type: 'status', message: `running ${argv.join(' ')}` });
      const outcome = await run({
        command,
        args,
        cwd: request.cwd,
        env,
        stdin: promptAsArgument ? undefined : request.prompt,
        signal: request.signal,
        onStdoutLine: (text) => request.onEvent({ type: 'text', text: redact(text) }),
      });
      if (outcome.aborted) throw new AgentError(`${command} was stopped`, { isRetryable: false });
      if (outcome.exitCode !== 0) {
        const tail = processTail({ stderrTail: outcome.stderrTail, stdout: outcome.stdout.slice(-SUMMARY_LIMIT) }, 1_000, redact);
        throw new AgentError(`${command} exited with ${outcome.exitCode ?? outcome.signal}${tail ? `:\n${tail}` : ''}`, {
          isRetryable: false,
          exitCode: outcome.exitCode ?? undefined,
        });
      }
      // Redacted before the cut: a key cut at the boundary would no longer match its secret.
      const summary = redact(outcome.stdout.trim()).slice(-SUMMARY_LIMIT).trim() || `${command} finished with no output.`;
      return { summary, model: '', turns: 1, inputTokens: 0, outputTokens: 0, filesWritten: [] };
    },
  });
}
