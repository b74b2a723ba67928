import type { AgentWarning } from './provider-capabilities';
import type { ResolvedAgent } from './resolve-agent';
import type { ScriptSpec, TaskSpec } from './schema';

/**
 * Everything one run of a task needs, worked out once from its spec file, the plugin options
 * and the profiles (see resolveTaskRun in the graph layer): createNodes builds the task's
 * target from it, and the executor runs it. Plain data.
 */
export interface ResolvedTaskRun {
  project: { name: string; root: string };
  task: TaskSpec;
  /** The profile the task runs with, the task's own `model` applied. */
  agent: ResolvedAgent;
  /** What the scripted agent follows: the task's script, else the profile's. */
  script?: ScriptSpec;
  /** `.agent-runs/<project>/<task>`: where the run's record and transcript go (workspace-relative). */
  recordFolder: string;
  /** Settings its provider will not honour as given (see checkAgentSettings): reported at graph time and recorded by the run. */
  warnings: AgentWarning[];
}
