import { readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AgentAdapter, AgentRunRequest, AgentWarning } from '../agent-adapter';
import { createCliAgent, type CliAgentDependencies } from './cli-agent';
import { codexOutcome } from './codex-outcome';
import { createCodexStream } from './codex-stream';

/** Injectable I/O, for tests. */
export interface CodexAgentDependencies extends CliAgentDependencies {
  now?: () => number;
}

/** What `codex exec` is started with. */
export interface CodexInvocation {
  args: string[];
  /** The prompt, sent on stdin (`-` as the prompt argument). */
  stdin: string;
  /** OPENAI_BASE_URL when the adapter points codex at it. */
  endpoint?: string;
  /** Sandbox mode passed with `-s`. */
  sandbox: string;
  /** What was adapted, for the task's output and record. */
  warnings: AgentWarning[];
}

const INSTALL_HINT = 'npm i -D @openai/codex';
/** The model provider the adapter defines when OPENAI_BASE_URL is set (built-in ids cannot be overridden). */
export const CODEX_PROVIDER_ID = 'openai-base-url';
const KEY_VARIABLE = 'OPENAI_API_KEY';
/** Below Linux's per-argument limit (128 KiB), with room for the `developer_instructions=` prefix. */
const SYSTEM_PROMPT_ARGUMENT_LIMIT = 100_000;
/** Startup noise codex prints on stderr even when all is well. */
const STDERR_NOISE = /could not create PATH aliases|Reading additional input from stdin/;

/**
 * Profile permission modes (Claude Code's words, plus codex's own sandbox names) as codex
 * sandbox modes: the table's `permissionModes` for codex, each mapped here. `codex exec` never
 * asks for approval, so the sandbox is what limits the agent.
 */
export const SANDBOX_MODES: Record<string, string> = {
  default: 'workspace-write',
  acceptEdits: 'workspace-write',
  dontAsk: 'workspace-write',
  plan: 'read-only',
  bypassPermissions: 'danger-full-access',
  'read-only': 'read-only',
  'workspace-write': 'workspace-write',
  'danger-full-access': 'danger-full-access',
};

/**
 * Runs the Codex CLI headless: `codex exec --json`, the prompt on stdin, in the agent's working
 * directory. With OPENAI_BASE_URL set (environment or profile env) codex is pointed at that
 * OpenAI-compatible Responses endpoint through `-c` overrides, authenticated with
 * OPENAI_API_KEY by name (the key never appears in argv), and its own retries are off so the
 * task's `retries` are the only ladder; without it, codex's own configuration applies.
 * Streams turns, shell commands, file changes and token usage; cost is left to the price table.
 */
export function createCodexAgent(dependencies: CodexAgentDependencies): AgentAdapter {
  const now = dependencies.now ?? Date.now;
  return createCliAgent(
    {
      provider: 'codex',
      executable: 'codex',
      installHint: INSTALL_HINT,
      isStderrNoise: (line) => STDERR_NOISE.test(line),
      invocation({ request, env, redact }) {
        const invocation = codexInvocation(request, env);
        const { sandbox, endpoint } = invocation;
        const status = `running codex exec -s ${sandbox}${request.model ? ` -m ${request.model}` : ''}${endpoint ? ` against ${redact(endpoint)}` : ''}`;
        return { ...invocation, status, startedAtMs: now() };
      },
      stream: ({ request, redact }) => createCodexStream({ cwd: request.cwd, onEvent: request.onEvent, maxTurns: request.maxTurns, redact }),
      outcome: ({ stream, process, request, env, redact, invocation: { endpoint, startedAtMs } }) =>
        codexOutcome({
          state: stream.state,
          process,
          request,
          keyVariable: endpoint ? KEY_VARIABLE : `${KEY_VARIABLE} (or your \`codex login\`)`,
          endpoint,
          redact,
          startedAtMs,
          readSessionModel: () => readSessionModel(env, stream.state.threadId),
        }),
    },
    dependencies,
  );
}

/**
 * The argv after `codex` and the stdin for one request. Settings map as follows:
 * - `model` -> `-m`;
 * - `systemPrompt` -> `-c developer_instructions=…`: a developer message after codex's own
 *   instructions, which keeps its tool rules (prepended to the prompt if too long for argv);
 * - `permissionMode` -> the sandbox (`-s`): plan = read-only, bypassPermissions =
 *   danger-full-access, the rest workspace-write; codex's own sandbox names pass through;
 * - `maxTurns` is enforced by the adapter (it stops codex); `tools` never reach it (the table
 *   marks them partial: codex chooses its own tools, and the graph says so).
 * OPENAI_BASE_URL, when set and not empty, becomes a model provider with codex's retries off
 * and its analytics and plugin services off; OPENAI_API_KEY is referenced by name only.
 */
export function codexInvocation(
  request: Pick<AgentRunRequest, 'prompt' | 'model' | 'systemPrompt' | 'permissionMode'>,
  env: NodeJS.ProcessEnv,
): CodexInvocation {
  const warnings: AgentWarning[] = [];
  // Unknown modes never get here: the adapter refuses them (capabilities), the graph first.
  const sandbox = SANDBOX_MODES[request.permissionMode ?? 'default'] ?? 'workspace-write';
  const args = ['exec', '--json', '--skip-git-repo-check', '-s', sandbox];
  if (request.model) args.push('-m', request.model);
  args.push('-c', 'check_for_update_on_startup=false');
  const endpoint = env.OPENAI_BASE_URL?.trim().replace(/\/+$/, '') || undefined;
  if (endpoint) {
    const provider = `model_providers.${CODEX_PROVIDER_ID}`;
    args.push(
      '-c',
      `model_provider=${tomlString(CODEX_PROVIDER_ID)}`,
      '-c',
      `${provider}.name=${tomlString('OpenAI-compatible endpoint (OPENAI_BASE_URL)')}`,
      '-c',
      `${provider}.base_url=${tomlString(endpoint)}`,
      '-c',
      `${provider}.wire_api="responses"`,
      '-c',
      `${provider}.request_max_retries=0`,
      '-c',
      `${provider}.stream_max_retries=0`,
      '-c',
      'analytics.enabled=false',
      '-c',
      'features.plugins=false',
    );
    // Without a key codex sends no Authorization header: fine for local servers that need none.
    if (env[KEY_VARIABLE]) args.push('-c', `${provider}.env_key=${tomlString(KEY_VARIABLE)}`);
    else warnings.push({ type: 'other', message: `${KEY_VARIABLE} is not set: codex sends no API key to OPENAI_BASE_URL` });
  }
  let prompt = request.prompt;
  if (request.systemPrompt) {
    const instructions = tomlString(request.systemPrompt);
    if (instructions.length <= SYSTEM_PROMPT_ARGUMENT_LIMIT) args.push('-c', `developer_instructions=${instructions}`);
    else {
      warnings.push({ type: 'other', message: 'the system prompt is too long for a command-line setting; it is sent at the start of the prompt instead' });
      prompt = `${request.systemPrompt}\n\n${prompt}`;
    }
  }
  args.push('-');
  return { args, stdin: prompt, endpoint, sandbox, warnings };
}

/** A TOML basic string (what `-c key=value` parses): quotes, backslashes and control characters escaped. */
export function tomlString(value: string): string {
  const escapes: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };
  let text = '"';
  for (const character of value) {
    const code = character.codePointAt(0) ?? 0;
    if (escapes[character]) text += escapes[character];
    else if (code < 0x20 || code === 0x7f) text += `\\u${code.toString(16).padStart(4, '0')}`;
    // A lone surrogate is not valid TOML (nor valid Unicode): replace it.
    else if (code >= 0xd800 && code <= 0xdfff) text += '\ufffd';
    else text += character;
  }
  return `${text}"`;
}

/**
 * The model codex used, from its session file `sessions/YYYY/MM/DD/rollout-…-<thread id>.jsonl`
 * under CODEX_HOME (`turn_context.model`), for profiles that leave the model to codex.
 * Best effort: undefined when the file or the field is not found.
 */
export function readSessionModel(env: NodeJS.ProcessEnv, threadId: string | undefined): string | undefined {
  if (!threadId) return undefined;
  const codexHome = env.CODEX_HOME || join(env.HOME || homedir(), '.codex');
  // The run just ended: its file is in one of the newest day folders.
  const newest = (folder: string) =>
    readdirSafe(folder)
      .sort()
      .reverse()
      .slice(0, 2)
      .map((name) => join(folder, name));
  const days = newest(join(codexHome, 'sessions')).flatMap(newest).flatMap(newest);
  for (const day of days) {
    const file = readdirSafe(day).find((name) => name.endsWith(`${threadId}.jsonl`));
    if (!file) continue;
    for (const line of readFileSync(join(day, file), 'utf8').split('\n')) {
      if (!line.includes('"turn_context"')) continue;
      try {
        const model = (JSON.parse(line) as { payload?: { model?: unknown } }).payload?.model;
        if (typeof model === 'string' && model) return model;
      } catch {
        // A torn line: keep looking.
      }
    }
  }
  return undefined;
}

function readdirSafe(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
