import type { ProviderId } from '../task-spec/plugin-options';
import type { AgentAdapter } from './agent-adapter';

/* eslint-disable @typescript-eslint/no-require-imports */
// Each adapter (and its SDK) loads only when its provider runs: a task never pays at start-up
// for the clients of providers it does not use.
const FACTORIES: Record<ProviderId, () => AgentAdapter> = {
  scripted: () => require('./scripted-agent').createScriptedAgent(),
  command: () => require('./providers/command-agent').createCommandAgent(),
  'claude-code': () => require('./providers/claude-code-agent').createClaudeCodeAgent(),
  codex: () => require('./providers/codex-agent').createCodexAgent(),
  gemini: () => require('./providers/gemini-agent').createGeminiAgent(),
  anthropic: () => require('./providers/anthropic-agent').createAnthropicAgent(),
  openai: () => require('./providers/openai-agent').createOpenAiAgent(),
};

/** The adapter for a provider. */
export function createAgent(provider: ProviderId): AgentAdapter {
  return FACTORIES[provider]();
}
