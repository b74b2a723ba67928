import type { AgentAdapter, AgentRunRequest } from '../agent-adapter';
import { createCliAgent, type CliAgentDependencies } from './cli-agent';
import { claudeCodeOutcome } from './claude-code-outcome';
import { createClaudeCodeStream } from './claude-code-stream';

/** Injectable I/O, for tests. */
export type ClaudeCodeAgentDependencies = CliAgentDependencies;

/**
 * `-p` runs headless with nobody to answer a permission prompt: in Claude Code's own default
 * mode every Write and Edit would be denied. acceptEdits lets the agent edit files in its
 * working directory, while commands still need an allow rule in `tools`.
 */
export const DEFAULT_PERMISSION_MODE = 'acceptEdits';

/**
 * Runs Claude Code headless: `claude -p --output-format stream-json --verbose`, the prompt on
 * stdin, in the agent's working directory. Streams turns, tool calls, files written and token
 * usage as events; the cost is the one the CLI reports (`total_cost_usd`), also for a failed
 * attempt. The CLI's own retries are off, so the caller's retry policy (the task's `retries`)
 * is the only one.
 */
export function createClaudeCodeAgent(dependencies: ClaudeCodeAgentDependencies): AgentAdapter {
  return createCliAgent(
    {
      provider: 'claude-code',
      executable: 'claude',
      installHint: 'npm i -D @anthropic-ai/claude-code',
      environment: (env, request) => claudeCodeEnvironment(env, request.env),
      invocation: ({ request }) => ({
        args: claudeCodeArguments(request),
        stdin: request.prompt,
        status: `running claude -p${request.model ? ` --model ${request.model}` : ''} --permission-mode ${request.permissionMode ?? DEFAULT_PERMISSION_MODE}`,
      }),
      stream: ({ request, redact }) => createClaudeCodeStream({ cwd: request.cwd, onEvent: request.onEvent, redact }),
      outcome: ({ stream, process, request, env, redact }) =>
        claudeCodeOutcome({ state: stream.state, process, request, keyVariable: keyVariable(env), redact }),
    },
    dependencies,
  );
}

/**
 * The argv after `claude`. Every profile setting maps to a flag:
 * - `systemPrompt` is appended to Claude Code's own system prompt (`--append-system-prompt`),
 *   which keeps the tool-use rules and environment facts the agent needs to work;
 * - `tools` both limits the built-in tools (`--tools`, bare names) and pre-approves each
 *   entry as given (`--allowedTools`, so `Bash(npm test)` allows only that command);
 * - `maxTurns`, `model`, and `permissionMode` (default acceptEdits) pass through;
 * - a cost budget (the task's `maxCost`, less what earlier attempts spent) is `--max-budget-usd`:
 *   the CLI stops itself once its own tally passes it (it has no token limit);
 * - `resumeSessionId` (a verify follow-up) continues that session (`--resume`).
 */
export function claudeCodeArguments(
  request: Pick<AgentRunRequest, 'model' | 'systemPrompt' | 'tools' | 'maxTurns' | 'permissionMode' | 'budget' | 'resumeSessionId'>,
): string[] {
  // Sessions persist (Claude Code's default), so a verify follow-up can resume the same one.
  const args = ['-p', '--output-format', 'stream-json', '--verbose'];
  if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
  args.push('--permission-mode', request.permissionMode ?? DEFAULT_PERMISSION_MODE);
  if (request.model) args.push('--model', request.model);
  if (request.maxTurns !== undefined) args.push('--max-turns', String(request.maxTurns));
  if (request.budget?.maxCostUsd !== undefined) args.push('--max-budget-usd', String(request.budget.maxCostUsd));
  if (request.systemPrompt) args.push('--append-system-prompt', request.systemPrompt);
  const tools = (request.tools ?? []).map((tool) => tool.trim()).filter(Boolean);
  if (tools.length) {
    // MCP tools are not built-ins: --tools would not know them, but they can still be approved.
    const builtIn = [...new Set(tools.filter((tool) => !tool.startsWith('mcp__')).map((tool) => tool.replace(/\(.*$/s, '').trim()))];
    args.push('--tools', builtIn.join(','));
    args.push('--allowedTools', ...tools);
  }
  return args;
}

/**
 * The agent's environment: the caller's, then the profile's, plus two settings for unattended
 * runs. `CLAUDE_CODE_MAX_RETRIES=0` (unless the profile sets it) because the CLI's own ladder
 * retries for minutes, even a 401, inside one attempt and one timeout.
 * `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1` (unless set anywhere) keeps parallel headless
 * runs from auto-updating the binary they share and from calling telemetry endpoints that a
 * CI sandbox may block.
 */
export function claudeCodeEnvironment(baseEnv: NodeJS.ProcessEnv, profileEnv: Record<string, string> = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...baseEnv, ...profileEnv };
  return {
    ...merged,
    CLAUDE_CODE_MAX_RETRIES: profileEnv.CLAUDE_CODE_MAX_RETRIES ?? '0',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: merged.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ?? '1',
  };
}

/** The credential variable to name in an auth error: the one that is set, API key first. */
export function keyVariable(env: NodeJS.ProcessEnv): string {
  if (env.ANTHROPIC_API_KEY) return 'ANTHROPIC_API_KEY';
  if (env.ANTHROPIC_AUTH_TOKEN) return 'ANTHROPIC_AUTH_TOKEN';
  return 'ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN)';
}
