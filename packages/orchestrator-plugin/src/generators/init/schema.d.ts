/** Options of the `init` generator, as `nx g nx-agent-orchestrator:init` passes them. */
export interface InitGeneratorSchema {
  /** Prefix of every task target: a task `write-api` becomes `agent--write-api`. */
  targetPrefix?: string;
  /** The target of each project that depends on all of its tasks. */
  aggregateTarget?: string;
  /** The profile or provider for tasks that name no agent. */
  defaultAgent?: string;
}
