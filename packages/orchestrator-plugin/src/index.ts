/** The public API of nx-agent-orchestrator: the Nx plugin hooks and the spec types. */
export { createNodes, createNodesV2, createDependencies } from './plugins/plugin';
export { postTasksExecution } from './plugins/post-tasks-execution';
export type { AgentPluginOptions, AgentProfile, ProviderId } from './spec/plugin-options';
export type { TaskSpec } from './spec/schema';
export type { SpecProblem } from './spec/spec-error';
