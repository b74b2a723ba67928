/** Options of the `nx-agent-orchestrator:agent` executor, as the plugin infers them. */
export interface AgentExecutorOptions {
  spec: string;
  task?: string;
  error?: string;
}
