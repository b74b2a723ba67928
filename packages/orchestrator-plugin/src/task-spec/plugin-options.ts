import { z } from 'zod';
import { didYouMean } from './closest-match';
import { parseDuration } from './duration';
import { scriptSchema, verificationFields } from './schema';

/** The provider ids the executor knows. A task's `agent` names a profile or one of these. */
export const PROVIDER_IDS = ['claude-code', 'codex', 'gemini', 'anthropic', 'openai', 'command', 'scripted'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** The plan's default estimate for a task that has no run record yet. */
export const estimateSchema = z.strictObject({
  duration: z
    .union([z.string(), z.number()])
    .transform((value, context) => {
      const milliseconds = parseDuration(value);
      if (milliseconds === undefined) context.addIssue({ code: 'custom', message: `"${value}" is not a duration: write e.g. 90s, 15m or a number of seconds` });
      return milliseconds ?? 0;
    })
    .optional(),
  inputTokens: z.number().int().min(0).optional(),
  outputTokens: z.number().int().min(0).optional(),
});
export type ProfileEstimate = z.output<typeof estimateSchema>;

/** What to do with two tasks whose `writes` overlap and that no dependsOn orders. */
export const CONFLICT_MODES = ['serialize', 'error'] as const;
export type ConflictMode = (typeof CONFLICT_MODES)[number];

/** A named agent configuration: which provider runs it and with what settings. */
export const agentProfileSchema = z.strictObject({
  provider: z.enum(PROVIDER_IDS),
  description: z.string().optional(),
  model: z.string().optional(),
  systemPrompt: z.string().optional(),
  tools: z.array(z.string()).optional().describe('Allowed tools'),
  maxTurns: z.number().int().positive().optional(),
  permissionMode: z.string().optional(),
  env: z.record(z.string(), z.string()).optional().describe('Environment for the agent process (names only reach the cache key)'),
  concurrency: z.number().int().positive().optional(),
  script: scriptSchema.optional().describe('Default script when the provider is scripted'),
  command: z
    .array(z.string())
    .min(1)
    .optional()
    .describe('For provider "command": the argv to run; an element "{prompt}" receives the prompt, else the prompt goes to stdin'),
  ...verificationFields,
});
export type AgentProfile = z.output<typeof agentProfileSchema>;

const pluginOptionsSchema = z.strictObject({
  targetPrefix: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-"')
    .optional(),
  aggregateTarget: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-"')
    .optional(),
  defaultAgent: z.string().min(1).optional(),
  agents: z.record(z.string(), agentProfileSchema).optional(),
  conflicts: z.enum(CONFLICT_MODES).optional().describe('Overlapping unordered writers: serialize them in declaration order (default) or fail both'),
  maxTasks: z.number().int().positive().optional().describe('Launch guard: refuse a run that would start more agent tasks than this'),
  maxEstimatedCost: z.number().positive().optional().describe("Launch guard: refuse a run whose plan's estimated cost (USD) is above this"),
  // Kept out of the profiles: a profile's settings are in its tasks' cache keys, an estimate is not.
  estimates: z
    .record(z.string(), estimateSchema)
    .optional()
    .describe('Per profile or provider name: what one task run is expected to take, for the plan, until the task has a run record'),
  unknownDependencies: z
    .enum(['error', 'warn'])
    .optional()
    .describe('A dependency that names no task (a tracker id such as DOR-676): "error" fails the task when run (default), "warn" drops the edge and runs it'),
  concurrency: z
    .record(z.string(), z.number().int().positive())
    .superRefine((limits, context) => {
      for (const key of Object.keys(limits)) {
        if (!(PROVIDER_IDS as readonly string[]).includes(key)) {
          context.addIssue({
            code: 'custom',
            path: [key],
            message: `"${key}" is not a provider.${didYouMean(key, PROVIDER_IDS)} Providers: ${PROVIDER_IDS.join(', ')}`,
          });
        }
      }
    })
    .optional()
    .describe("Most agents of each provider at once, across all of Nx's processes, whatever --parallel says"),
  budget: z
    .strictObject({
      cost: z.number().positive().optional().describe('USD'),
      tokens: z.number().int().positive().optional().describe('Input + output tokens'),
    })
    .optional()
    .describe('What all agents of one run together may spend; NX_AGENT_BUDGET_COST / NX_AGENT_BUDGET_TOKENS override it'),
});
export type AgentPluginOptions = z.input<typeof pluginOptionsSchema>;

/** Plugin options with every default applied. */
export interface NormalizedPluginOptions {
  targetPrefix: string;
  aggregateTarget: string;
  defaultAgent: string;
  agents: Record<string, AgentProfile>;
  conflicts: ConflictMode;
  /** Launch guard limits; unset means no limit. */
  maxTasks?: number;
  maxEstimatedCost?: number;
  /** Per profile or provider name. */
  estimates: Record<string, ProfileEstimate>;
  unknownDependencies: 'error' | 'warn';
  /** Most agents of each provider at once (a pool per provider). */
  concurrency: Partial<Record<ProviderId, number>>;
  /** The run budget from nx.json (the environment may override it at run time). */
  budget: { cost?: number; tokens?: number };
}

export const DEFAULT_PLUGIN_OPTIONS: NormalizedPluginOptions = {
  targetPrefix: 'agent--',
  aggregateTarget: 'agent',
  defaultAgent: 'claude-code',
  agents: {},
  conflicts: 'serialize',
  estimates: {},
  unknownDependencies: 'error',
  concurrency: {},
  budget: {},
};

/** The package name under which the plugin is registered in nx.json. */
export const PLUGIN_NAME = 'nx-agent-orchestrator';

/**
 * Validates the plugin's options from nx.json and fills in defaults. Throws one error listing
 * every problem, with the closest known option for a misspelt one: a misconfigured plugin
 * is a setup failure, not a per-spec problem.
 */
export function normalizePluginOptions(options: unknown): NormalizedPluginOptions {
  const result = pluginOptionsSchema.safeParse(options ?? {});
  if (!result.success) {
    const known = Object.keys(pluginOptionsSchema.shape);
    const lines = result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => `unknown option "${path ? `${path}.` : ''}${key}".${path ? '' : didYouMean(key, known)}`);
      }
      return [`option "${path}": ${issue.message}`];
    });
    throw new Error(`Invalid options for the ${PLUGIN_NAME} plugin in nx.json:\n  ${lines.join('\n  ')}`);
  }
  const { targetPrefix, aggregateTarget, defaultAgent, agents, conflicts, maxTasks, maxEstimatedCost, estimates, unknownDependencies, concurrency, budget } =
    result.data;
  const normalized: NormalizedPluginOptions = {
    targetPrefix: targetPrefix ?? DEFAULT_PLUGIN_OPTIONS.targetPrefix,
    aggregateTarget: aggregateTarget ?? DEFAULT_PLUGIN_OPTIONS.aggregateTarget,
    defaultAgent: defaultAgent ?? DEFAULT_PLUGIN_OPTIONS.defaultAgent,
    agents: agents ?? {},
    conflicts: conflicts ?? DEFAULT_PLUGIN_OPTIONS.conflicts,
    estimates: estimates ?? {},
    ...(maxTasks !== undefined ? { maxTasks } : {}),
    ...(maxEstimatedCost !== undefined ? { maxEstimatedCost } : {}),
    unknownDependencies: unknownDependencies ?? DEFAULT_PLUGIN_OPTIONS.unknownDependencies,
    concurrency: concurrency ?? {},
    budget: budget ?? {},
  };
  if (normalized.aggregateTarget.startsWith(normalized.targetPrefix)) {
    throw new Error(
      `Invalid options for the ${PLUGIN_NAME} plugin in nx.json: aggregateTarget "${normalized.aggregateTarget}" starts with targetPrefix "${normalized.targetPrefix}", so it would depend on itself`,
    );
  }
  return normalized;
}
