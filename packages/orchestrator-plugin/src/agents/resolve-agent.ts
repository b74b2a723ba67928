import { PROVIDER_IDS, type AgentProfile, type NormalizedPluginOptions, type ProviderId } from '../spec/plugin-options';
import type { TaskSpec } from '../spec/schema';
import { AgentError } from './agent-adapter';

/** The profile a task runs with, after applying the task's own overrides. */
export interface ResolvedAgent {
  /** What the task (or defaultAgent) named: a profile or a provider id. */
  name: string;
  provider: ProviderId;
  profile: AgentProfile;
}

/**
 * Resolves a task's `agent:` (or the plugin's defaultAgent) to a profile: a profile name
 * from the options, else a bare provider id. An unknown name fails and lists the known ones.
 */
export function resolveAgent(task: TaskSpec, options: NormalizedPluginOptions): ResolvedAgent {
  const name = task.agent ?? options.defaultAgent;
  const profile = options.agents[name] ?? ((PROVIDER_IDS as readonly string[]).includes(name) ? { provider: name as ProviderId } : undefined);
  if (!profile) {
    const profiles = Object.keys(options.agents).sort();
    throw new AgentError(
      `task "${task.id}" (${task.file}) names agent "${name}", which is neither a profile nor a provider. ` +
        `Profiles: ${profiles.length ? profiles.join(', ') : '(none configured)'}; providers: ${PROVIDER_IDS.join(', ')}.`,
      { isRetryable: false },
    );
  }
  return { name, provider: profile.provider, profile: { ...profile, model: task.model ?? profile.model } };
}
