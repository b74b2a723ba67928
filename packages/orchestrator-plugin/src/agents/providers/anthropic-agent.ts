import type Anthropic from '@anthropic-ai/sdk';
import { AgentError, defineAgentAdapter, type AgentAdapter, type AgentRunRequest } from '../agent-adapter';
import type { AgentDependencies } from '../create-agent';
import { assistantBlocks, readAnthropicMessage } from './model-api-anthropic-reply';
import { displayUrl, mergedEnvironment, readVariable, requireSdk } from './model-api-environment';
import { toModelApiError } from './model-api-errors';
import { runModelApiLoop, type ModelConversation } from './model-api-loop';
import { resolveModelApiSettings } from './model-api-settings';
import type { FileToolDefinition } from './model-api-tools';

/** The model when the profile names none. */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-6';
/** Output tokens per reply: room for a file of a few hundred lines, within every current model's limit. */
const MAX_OUTPUT_TOKENS = 8_192;
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

// Claude Code's short names (as `.claude/agents/*.md` profiles use them) are not API model ids.
// Each maps to the newest id of its family that the SDK lists and the price table knows.
const MODEL_ALIASES: Record<string, string> = {
  sonnet: DEFAULT_ANTHROPIC_MODEL,
  opus: 'claude-opus-4-8',
  haiku: 'claude-haiku-4-5',
  inherit: DEFAULT_ANTHROPIC_MODEL,
};

type AnthropicModule = { default: typeof Anthropic };

/**
 * Runs a task through the Anthropic Messages API (`@anthropic-ai/sdk`, loaded only when used)
 * with its own small agent loop: the model gets the workspace file tools, replies are
 * streamed, tool calls run inside the workspace, until it answers without tools or reaches
 * maxTurns. Key from ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN), endpoint from
 * ANTHROPIC_BASE_URL. The SDK's own retries are off: the caller's retry layer decides.
 */
export function createAnthropicAgent(dependencies: AgentDependencies): AgentAdapter {
  return defineAgentAdapter({
    provider: 'anthropic',
    // An HTTP loop in this process, its tools too: no child process.
    runsInProcess: true,
    async run(request) {
      const environment = mergedEnvironment(request, dependencies.env);
      const apiKey = readVariable(environment, 'ANTHROPIC_API_KEY');
      const authToken = apiKey ? undefined : readVariable(environment, 'ANTHROPIC_AUTH_TOKEN');
      if (!apiKey && !authToken) {
        throw new AgentError(
          'provider "anthropic" needs an API key: set ANTHROPIC_API_KEY (or ANTHROPIC_AUTH_TOKEN) in the environment or in the profile\'s "env"',
          { isRetryable: false },
        );
      }
      const keyVariable = apiKey ? 'ANTHROPIC_API_KEY' : 'ANTHROPIC_AUTH_TOKEN';
      const baseUrl = readVariable(environment, 'ANTHROPIC_BASE_URL') ?? DEFAULT_BASE_URL;
      const settings = resolveModelApiSettings(request, 'anthropic');
      for (const warning of settings.warnings) request.onEvent({ type: 'warning', warning });
      const model = resolveModel(request);
      const sdk = requireSdk<AnthropicModule>('@anthropic-ai/sdk', request.workspaceRoot, 'anthropic');
      const client = new sdk.default({ apiKey, authToken, baseURL: baseUrl, maxRetries: 0 });
      request.onEvent({
        type: 'status',
        message: `anthropic ${model} at ${displayUrl(baseUrl)} · tools: ${settings.tools.map((tool) => tool.name).join(', ') || 'none'} · max ${settings.maxTurns} turns`,
      });
      return runModelApiLoop(request, {
        conversation: anthropicConversation(client, request, model, settings.tools),
        settings,
        model,
        toAgentError: (error) =>
          toModelApiError(error, {
            provider: 'Anthropic',
            keyVariable,
            baseUrl: displayUrl(baseUrl),
            signal: request.signal,
            secrets: [apiKey ?? authToken ?? ''],
          }),
      });
    },
  });
}

function resolveModel(request: AgentRunRequest): string {
  if (!request.model) {
    request.onEvent({ type: 'status', message: `no model in the profile: using ${DEFAULT_ANTHROPIC_MODEL}` });
    return DEFAULT_ANTHROPIC_MODEL;
  }
  const alias = MODEL_ALIASES[request.model.toLowerCase()];
  if (!alias) return request.model;
  request.onEvent({ type: 'status', message: `model "${request.model}" means ${alias} for the Messages API` });
  return alias;
}

/** The conversation in Messages API form; each reply is streamed, and aborts with the run. */
function anthropicConversation(client: Anthropic, request: AgentRunRequest, model: string, tools: readonly FileToolDefinition[]): ModelConversation {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: request.prompt }];
  const toolParams: Anthropic.Tool[] = tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters }));
  return {
    async send() {
      const stream = client.messages.stream(
        {
          model,
          max_tokens: MAX_OUTPUT_TOKENS,
          messages,
          ...(request.systemPrompt && { system: request.systemPrompt }),
          ...(toolParams.length > 0 && { tools: toolParams }),
        },
        { signal: request.signal },
      );
      const message = await stream.finalMessage();
      const content = assistantBlocks(message);
      if (content.length > 0) messages.push({ role: 'assistant', content: content as Anthropic.ContentBlockParam[] });
      return readAnthropicMessage(message);
    },
    addToolResults(results) {
      messages.push({
        role: 'user',
        content: results.map(({ call, outcome }) => ({
          type: 'tool_result' as const,
          tool_use_id: call.id,
          content: outcome.content,
          ...(outcome.isError && { is_error: true }),
        })),
      });
    },
  };
}
