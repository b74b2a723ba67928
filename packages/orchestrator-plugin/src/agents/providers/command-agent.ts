import { AgentError, UnsupportedAgentError, type AgentAdapter, type AgentRunRequest, type AgentRunResult } from '../agent-adapter';
import { runProcess } from '../process/run-process';
import { warnUnsupported } from './warn-unsupported';

const PROMPT_PLACEHOLDER = '{prompt}';
const SUMMARY_LIMIT = 4_000;

/**
 * Runs any command as the agent: the profile's `command` argv, with the prompt as the
 * argument `{prompt}` or, without one, on stdin. Its stdout is the summary (the last 4,000
 * characters); a non-zero exit is a failure. It reports no tokens and no cost.
 */
export function createCommandAgent(): AgentAdapter {
  return {
    provider: 'command',
    async run(request: AgentRunRequest): Promise<AgentRunResult> {
      const argv = request.command;
      if (!argv?.length) {
        throw new UnsupportedAgentError('provider "command" needs a "command" in its profile, e.g. "command": ["my-agent", "--prompt", "{prompt}"]');
      }
      warnUnsupported(request, 'command', ['model', 'tools', 'maxTurns', 'permissionMode', 'systemPrompt']);
      const promptAsArgument = argv.includes(PROMPT_PLACEHOLDER);
      const [command, ...args] = argv.map((part) => (part === PROMPT_PLACEHOLDER ? request.prompt : part));
      request.onEvent({ type: 'status', message: `running ${argv.join(' ')}` });
      const outcome = await runProcess({
        command,
        args,
        cwd: request.cwd,
        env: { ...process.env, ...request.env },
        stdin: promptAsArgument ? undefined : request.prompt,
        signal: request.signal,
        onStdoutLine: (text) => request.onEvent({ type: 'text', text }),
      });
      if (outcome.aborted) throw new AgentError(`${command} was stopped`, { isRetryable: false });
      if (outcome.exitCode !== 0) {
        const tail = outcome.stderrTail.trim() || outcome.stdout.trim().slice(-1_000);
        throw new AgentError(`${command} exited with ${outcome.exitCode ?? outcome.signal}${tail ? `:\n${tail}` : ''}`, {
          isRetryable: false,
          exitCode: outcome.exitCode ?? undefined,
        });
      }
      const summary = outcome.stdout.trim().slice(-SUMMARY_LIMIT) || `${command} finished with no output.`;
      return { summary, model: '', turns: 1, inputTokens: 0, outputTokens: 0, filesWritten: [] };
    },
  };
}
