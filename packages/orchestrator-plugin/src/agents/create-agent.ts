import type { ProviderId } from '../spec/plugin-options';
import { UnsupportedAgentError, type AgentAdapter } from './agent-adapter';
import { createScriptedAgent } from './scripted-agent';

/**
 * The adapter for a provider. Each adapter module is loaded only when its provider runs,
 * so a task never pays for the SDKs of providers it does not use.
 */
export function createAgent(provider: ProviderId): AgentAdapter {
  switch (provider) {
    case 'scripted':
      return createScriptedAgent();
    default:
      throw new UnsupportedAgentError(
        `provider "${provider}" is not available in this version of nx-agent-orchestrator: only "scripted" runs so far. ` +
          `Set "agent: scripted" on the task or "defaultAgent": "scripted" in the plugin options in nx.json.`,
      );
  }
}
