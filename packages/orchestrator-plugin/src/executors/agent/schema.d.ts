/** Options of the `nx-agent-orchestrator:agent` executor: the ones the plugin infers (schema.json lists the same). */
export type { AgentTargetOptions as AgentExecutorOptions } from '../../task-spec/agent-target';
