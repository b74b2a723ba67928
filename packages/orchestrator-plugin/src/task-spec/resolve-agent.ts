import type { SubagentProfile } from './parse-subagent-file';
import { PROVIDER_IDS, type AgentProfile, type NormalizedPluginOptions, type ProviderId } from './plugin-options';
import type { TaskSpec } from './schema';

/** The profile a task runs with, after applying the task's own overrides. */
export interface ResolvedAgent {
  /** What the task (or defaultAgent) named: a profile or a provider id. */
  name: string;
  provider: ProviderId;
  profile: AgentProfile;
  /** The `.claude/agents/*.md` file the profile came from, if it came from one. */
  file?: string;
}

/** An agent name that is neither a profile nor a provider; the message lists the known ones. */
export class UnknownAgentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownAgentError';
  }
}

/**
 * Resolves a task's `agent:` (or the plugin's defaultAgent): a profile from nx.json, else a
 * Claude Code subagent file, else a bare provider id. Pure; an unknown name throws
 * {@link UnknownAgentError} listing the known ones.
 */
export function resolveAgent(
  task: Pick<TaskSpec, 'id' | 'file' | 'agent' | 'model'>,
  options: NormalizedPluginOptions,
  subagents: readonly SubagentProfile[] = [],
): ResolvedAgent {
  const name = task.agent ?? options.defaultAgent;
  const subagent = subagents.find((candidate) => candidate.name === name);
  // Own keys only: `agent: toString` must not find Object.prototype.toString.
  const configured = Object.hasOwn(options.agents, name) ? options.agents[name] : undefined;
  const profile = configured ?? subagent?.profile ?? ((PROVIDER_IDS as readonly string[]).includes(name) ? { provider: name as ProviderId } : undefined);
  if (!profile) throw new UnknownAgentError(unknownAgentMessage(task, name, options, subagents));
  return {
    name,
    provider: profile.provider,
    profile: { ...profile, model: task.model ?? profile.model },
    ...(!configured && subagent ? { file: subagent.file } : {}),
  };
}

/** `task "x" (file) names agent "y", which is ...`, listing every name that would work. */
export function unknownAgentMessage(
  task: Pick<TaskSpec, 'id' | 'file'>,
  name: string,
  options: NormalizedPluginOptions,
  subagents: readonly SubagentProfile[],
): string {
  const profiles = [...new Set([...Object.keys(options.agents), ...subagents.map((subagent) => subagent.name)])].sort();
  return (
    `task "${task.id}" (${task.file}) names agent "${name}", which is neither a profile nor a provider. ` +
    `Profiles (nx.json and .claude/agents): ${profiles.length ? profiles.join(', ') : '(none)'}; providers: ${PROVIDER_IDS.join(', ')}.`
  );
}
