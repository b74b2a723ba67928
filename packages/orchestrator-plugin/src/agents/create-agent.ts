import type { ProviderId } from '../task-spec/plugin-options';
import type { AgentAdapter } from './agent-adapter';

/** What every adapter is created with. */
export interface AgentDependencies {
  /** The environment the agent starts from (the profile's `env` goes over it); never mutated. */
  env: NodeJS.ProcessEnv;
}

/* eslint-disable @typescript-eslint/no-require-imports */
// Each adapter (and its SDK) loads only when its provider runs: a task never pays at start-up
// for the clients of providers it does not use.
const FACTORIES: Record<ProviderId, (dependencies: AgentDependencies) => AgentAdapter> = {
  scripted: () => require('./scripted-agent').createScriptedAgent(),
  command: (dependencies) => require('./providers/command-agent').createCommandAgent(dependencies),
  'claude-code': (dependencies) => require('./providers/claude-code-agent').createClaudeCodeAgent(dependencies),
  codex: (dependencies) => require('./providers/codex-agent').createCodexAgent(dependencies),
  gemini: (dependencies) => require('./providers/gemini-agent').createGeminiAgent(dependencies),
  anthropic: (dependencies) => require('./providers/anthropic-agent').createAnthropicAgent(dependencies),
  openai: (dependencies) => require('./providers/openai-agent').createOpenAiAgent(dependencies),
};

/** The adapter for a provider, with its environment injected. */
export function createAgent(provider: ProviderId, dependencies: AgentDependencies): AgentAdapter {
  return FACTORIES[provider](dependencies);
}
