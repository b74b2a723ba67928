/** The public API of nx-agent-orchestrator: the Nx plugin hooks and the spec types. */
export { createNodes, createNodesV2, createDependencies } from './plugins/plugin';
export { preTasksExecution } from './plugins/pre-tasks-execution';
export { postTasksExecution } from './runs/post-tasks-execution';
export type { AgentPluginOptions, AgentProfile, ProviderId } from './task-spec/plugin-options';
export type { TaskSpec } from './task-spec/schema';
export type { SpecProblem } from './task-spec/spec-error';
