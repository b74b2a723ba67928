import type { ProviderId } from '../task-spec/plugin-options';
import { AGENT_SETTINGS, PROVIDER_CAPABILITIES, type AgentWarning, type ProviderCapabilities } from '../task-spec/provider-capabilities';
import type { ScriptSpec } from '../task-spec/schema';
import { AgentError, UnsupportedFeatureError, type AgentUsage } from './agent-error';

export { AgentError, UnsupportedFeatureError, type AgentUsage } from './agent-error';
export type { AgentWarning } from '../task-spec/provider-capabilities';

/** The adapter contract below; a field that changes meaning bumps it (v1 had no capabilities, warnings or providerOptions). */
export const AGENT_SPECIFICATION_VERSION = 'v2';

/** Something an agent did, for live progress and the transcript. */
export type AgentEvent =
  | { type: 'status'; message: string }
  | { type: 'warning'; warning: AgentWarning }
  | { type: 'turn'; turn: number }
  | { type: 'tool'; name: string; detail?: string }
  | { type: 'file'; path: string }
  | { type: 'text'; text: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number };

/** Settings only one provider reads, keyed by provider: kept off the shared request. */
export interface ProviderOptions {
  command?: { argv: string[] };
  scripted?: { script: ScriptSpec };
}

/** One attempt at a task, as every adapter receives it: only settings its provider honours. */
export interface AgentRunRequest {
  taskId: string;
  prompt: string;
  systemPrompt?: string;
  model?: string;
  tools?: string[];
  maxTurns?: number;
  permissionMode?: string;
  /** The profile's environment, over the environment the adapter was created with. */
  env?: Record<string, string>;
  /** The agent's working directory: the workspace root today, its own worktree with `isolation: worktree`. */
  cwd: string;
  /** The workspace: where `node_modules/.bin` and the SDKs are found. */
  workspaceRoot: string;
  projectRoot: string;
  attempt: number;
  providerOptions?: ProviderOptions;
  /** Continue this session instead of starting one (needs capability `resume`). */
  resumeSessionId?: string;
  /** Stop at this spend, all of this attempt's requests together (each limit needs its `budget` capability; the caller checks the rest after the fact). */
  budget?: { maxCostUsd?: number; maxTokens?: number };
  /** Waits out the provider's shared pause (a rate limit another task met) before each model request the adapter makes itself (the SDK loop). */
  beforeModelRequest?: () => Promise<void>;
  signal: AbortSignal;
  onEvent: (event: AgentEvent) => void;
}

/** What one successful attempt produced. */
export interface AgentRunResult extends AgentUsage {
  summary: string;
  model: string;
  turns: number;
  /** Workspace-relative paths. */
  filesWritten: string[];
  /** Every warning the attempt reported (also sent as `warning` events as they arose). */
  warnings: AgentWarning[];
  /** The client's session, for a follow-up turn where the provider can resume one. */
  sessionId?: string;
}

/** One provider behind one small, versioned interface. */
export interface AgentAdapter {
  readonly specificationVersion: typeof AGENT_SPECIFICATION_VERSION;
  readonly provider: ProviderId;
  /** Declared from the table in task-spec/provider-capabilities, which the graph checks before anything runs. */
  readonly capabilities: ProviderCapabilities;
  /** Base of the exponential backoff between attempts. */
  readonly retryBaseDelayMs?: number;
  /**
   * The agent is this process's own code (an SDK loop, the scripted agent): no child process's
   * exit decides its outcome, so a stop that kills process trees deepest first cannot make it
   * look like a success. Absent: it runs a process (a CLI), and a success waits for a stop on its way.
   */
  readonly runsInProcess?: boolean;
  run(request: AgentRunRequest): Promise<AgentRunResult>;
}

/** What an adapter's own work returns: the result without the warnings, which go out as events. */
export type AgentRunOutput = Omit<AgentRunResult, 'warnings'>;

/** An adapter's own work: what `defineAgentAdapter` wraps. */
export type AgentRun = (request: AgentRunRequest) => Promise<AgentRunOutput>;

/**
 * An adapter for `provider`, with its capabilities from the table. The wrapper refuses, with an
 * {@link UnsupportedFeatureError}, any setting or feature the table says the provider lacks
 * (the graph reports those before a run; this keeps a direct caller honest too), and collects
 * the `warning` events of the attempt into the result, or into the error when it fails.
 */
export function defineAgentAdapter(definition: { provider: ProviderId; retryBaseDelayMs?: number; runsInProcess?: boolean; run: AgentRun }): AgentAdapter {
  const capabilities = PROVIDER_CAPABILITIES[definition.provider];
  return {
    specificationVersion: AGENT_SPECIFICATION_VERSION,
    provider: definition.provider,
    capabilities,
    retryBaseDelayMs: definition.retryBaseDelayMs,
    ...(definition.runsInProcess ? { runsInProcess: true } : {}),
    async run(request) {
      refuseUnsupported(definition.provider, capabilities, request);
      const warnings: AgentWarning[] = [];
      const onEvent = (event: AgentEvent) => {
        if (event.type === 'warning') warnings.push(event.warning);
        request.onEvent(event);
      };
      try {
        return { ...(await definition.run({ ...request, onEvent })), warnings };
      } catch (error) {
        if (AgentError.isInstance(error) && warnings.length) error.warnings = [...(error.warnings ?? []), ...warnings];
        throw error;
      }
    },
  };
}

function refuseUnsupported(provider: ProviderId, capabilities: ProviderCapabilities, request: AgentRunRequest): void {
  for (const setting of AGENT_SETTINGS) {
    const value = request[setting];
    const support = capabilities.settings[setting];
    if (value === undefined || (Array.isArray(value) && value.length === 0) || support.support === 'honoured') continue;
    throw new UnsupportedFeatureError(`provider "${provider}" cannot honour "${setting}": ${support.details}`, { feature: setting });
  }
  if (request.permissionMode !== undefined && capabilities.permissionModes && !capabilities.permissionModes.includes(request.permissionMode)) {
    throw new UnsupportedFeatureError(
      `provider "${provider}" has no permission mode "${request.permissionMode}": use one of ${capabilities.permissionModes.join(', ')}`,
      {
        feature: 'permissionMode',
      },
    );
  }
  if (request.resumeSessionId !== undefined && !capabilities.resume) {
    throw new UnsupportedFeatureError(`provider "${provider}" cannot resume a session`, { feature: 'resume' });
  }
  for (const limit of ['maxCostUsd', 'maxTokens'] as const) {
    if (request.budget?.[limit] !== undefined && !capabilities.budget[limit]) {
      throw new UnsupportedFeatureError(`provider "${provider}" cannot stop itself at a budget (${limit})`, { feature: 'budget' });
    }
  }
}
