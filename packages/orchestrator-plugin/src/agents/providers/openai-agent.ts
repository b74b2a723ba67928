import type OpenAI from 'openai';
import { AgentError, defineAgentAdapter, type AgentAdapter, type AgentRunRequest } from '../agent-adapter';
import type { AgentDependencies } from '../create-agent';
import { displayUrl, isLocalUrl, mergedEnvironment, readVariable, requireSdk } from './model-api-environment';
import { toModelApiError } from './model-api-errors';
import { runModelApiLoop, type ModelConversation } from './model-api-loop';
import { createOpenAiStreamReader } from './model-api-openai-stream';
import { resolveModelApiSettings } from './model-api-settings';
import type { FileToolDefinition } from './model-api-tools';

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
/** Sent as the key to a local server when none is set: such servers check no key, the SDK insists on one. */
const LOCAL_PLACEHOLDER_KEY = 'local-server-needs-no-key';

type OpenAiModule = { default: typeof OpenAI };

/**
 * Runs a task through any OpenAI-compatible Chat Completions API (OpenAI, Ollama, vLLM,
 * llama.cpp, LM Studio) with the `openai` SDK, loaded only when used, and its own small agent
 * loop: the model gets the workspace file tools, replies are streamed (with usage), tool calls
 * run inside the workspace, until it answers without tools or reaches maxTurns. Key from
 * OPENAI_API_KEY (optional for a base URL on this machine), endpoint from OPENAI_BASE_URL.
 * The SDK's own retries are off: the caller's retry layer decides.
 */
export function createOpenAiAgent(dependencies: AgentDependencies): AgentAdapter {
  return defineAgentAdapter({
    provider: 'openai',
    // An HTTP loop in this process, its tools too: no child process.
    runsInProcess: true,
    async run(request) {
      const environment = mergedEnvironment(request, dependencies.env);
      const baseUrl = readVariable(environment, 'OPENAI_BASE_URL') ?? DEFAULT_BASE_URL;
      const key = readVariable(environment, 'OPENAI_API_KEY');
      if (!key && !isLocalUrl(baseUrl)) {
        throw new AgentError(
          `provider "openai" needs an API key for ${displayUrl(baseUrl)}: set OPENAI_API_KEY in the environment or in the profile's "env". ` +
            'For a local server (Ollama, vLLM, llama.cpp, LM Studio) set OPENAI_BASE_URL to it instead, e.g. http://127.0.0.1:11434/v1; ' +
            'a server elsewhere that checks no key accepts any OPENAI_API_KEY value',
          { isRetryable: false },
        );
      }
      if (!request.model) {
        throw new AgentError(
          'provider "openai" needs a "model" in the profile (or the task), e.g. "gpt-4.1", or the name your local server serves, e.g. "qwen2.5-coder:7b"',
          {
            isRetryable: false,
          },
        );
      }
      const settings = resolveModelApiSettings(request, 'openai');
      for (const warning of settings.warnings) request.onEvent({ type: 'warning', warning });
      const sdk = requireSdk<OpenAiModule>('openai', request.workspaceRoot, 'openai');
      const client = new sdk.default({
        apiKey: key ?? LOCAL_PLACEHOLDER_KEY,
        baseURL: baseUrl,
        organization: readVariable(environment, 'OPENAI_ORG_ID') ?? null,
        project: readVariable(environment, 'OPENAI_PROJECT_ID') ?? null,
        maxRetries: 0,
      });
      const keyNote = key ? '' : ' (no OPENAI_API_KEY: local server)';
      request.onEvent({
        type: 'status',
        message: `openai ${request.model} at ${displayUrl(baseUrl)}${keyNote} · tools: ${settings.tools.map((tool) => tool.name).join(', ') || 'none'} · max ${settings.maxTurns} turns`,
      });
      return runModelApiLoop(request, {
        conversation: openAiConversation(client, request, request.model, settings.tools),
        settings,
        model: request.model,
        toAgentError: (error) =>
          toModelApiError(error, {
            provider: 'OpenAI',
            keyVariable: 'OPENAI_API_KEY',
            baseUrl: displayUrl(baseUrl),
            signal: request.signal,
            secrets: key ? [key] : [],
          }),
      });
    },
  });
}

/** The conversation in Chat Completions form; each reply is streamed with usage, and aborts with the run. */
function openAiConversation(client: OpenAI, request: AgentRunRequest, model: string, tools: readonly FileToolDefinition[]): ModelConversation {
  const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
    ...(request.systemPrompt ? [{ role: 'system' as const, content: request.systemPrompt }] : []),
    { role: 'user', content: request.prompt },
  ];
  const toolParams: OpenAI.Chat.ChatCompletionTool[] = tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
  let turn = 0;
  let warnedAboutUsage = false;
  return {
    async send() {
      turn++;
      const stream = await client.chat.completions.create(
        { model, messages, stream: true, stream_options: { include_usage: true }, ...(toolParams.length > 0 && { tools: toolParams }) },
        { signal: request.signal },
      );
      const reader = createOpenAiStreamReader(`call_${turn}`);
      for await (const chunk of stream) reader.add(chunk);
      const reply = reader.reply();
      // The SDK ends quietly when the body stops cleanly part-way; the error mapping calls this a cut stream.
      if (!reply.finished) throw new Error('stream ended without a finish_reason');
      messages.push(reply.assistantMessage);
      if (!reply.usageReported && !warnedAboutUsage) {
        warnedAboutUsage = true;
        request.onEvent({
          type: 'warning',
          warning: { type: 'other', message: 'the server reported no token usage (stream_options.include_usage); tokens are counted as 0' },
        });
      }
      return reply;
    },
    addToolResults(results) {
      for (const { call, outcome } of results) messages.push({ role: 'tool', tool_call_id: call.id, content: outcome.content });
    },
  };
}
