/**
 * What an agent target is, shared by the layer that infers it (graph), the executors that run
 * it and the run summary that reports on it.
 */

/** The executor every agent task runs with. */
export const AGENT_EXECUTOR = 'nx-agent-orchestrator:agent';

/** Whether a target runs an agent task: by its executor, never by its name. */
export function isAgentTarget(target: { executor?: string } | undefined): boolean {
  return target?.executor === AGENT_EXECUTOR;
}

/**
 * Options of an agent target: kept to what identifies the task, since Nx hashes every target's
 * options into every task of the project. The executor's schema.json lists exactly these
 * (a test holds the two together).
 */
export interface AgentTargetOptions {
  /** Workspace-relative spec file. */
  spec: string;
  /** Task id inside it. */
  task?: string;
  /** Set when the spec is invalid: running the target fails with this message. */
  error?: string;
  /** Set on a forEach worker: the id of the template it was made from (the spec holds the template, not the worker). */
  template?: string;
  /** Set on a forEach.files worker: its file, relative to the project root. */
  file?: string;
  /** Set on a task an analysis task produced: `project:task` of that analysis (see executors/agent/stand-in). */
  producedBy?: string;
  /** `name:digest` of the nx.json profile the task runs with: changes when the profile does. */
  profile?: string;
}

/** Every option name of {@link AgentTargetOptions}, checked by the compiler in both directions. */
export const AGENT_TARGET_OPTION_NAMES = ['spec', 'task', 'template', 'file', 'error', 'profile', 'producedBy'] as const satisfies ReadonlyArray<
  keyof AgentTargetOptions
>;
type Missing = Exclude<keyof AgentTargetOptions, (typeof AGENT_TARGET_OPTION_NAMES)[number]>;
const everyOptionNamed: Missing extends never ? true : Missing = true;
void everyOptionNamed;
