/** Options of the `task` generator, as `nx g nx-agent-orchestrator:task` passes them. */
export interface TaskGeneratorSchema {
  /** The task id; also the file name: `<name>.agent.md`. */
  name: string;
  /** An existing Nx project: the file goes to `<projectRoot>/agent-tasks/` unless `directory` is given. */
  project?: string;
  /** Workspace-relative folder of the file; needed when no project is given, overrides the project's default folder otherwise. */
  directory?: string;
  /** One line on what the task does. */
  description?: string;
  /** A profile name or a provider id. */
  agent?: string;
  /** Tasks that must finish first: `task` (same project) or `project:task`, as a list or comma-separated. */
  dependsOn?: string | string[];
  /** The prompt, in markdown; default: a TODO saying what to write. */
  prompt?: string;
}
