import agentExecutor from '../executors/agent/executor';

/**
 * The agent executor in a process of its own, as Nx forks it for a task, so a test can send
 * it real signals (jest's sandboxed `process` never receives them). Run with
 * `node -r register-typescript.cjs agent-executor-main.ts '<{options, context} as JSON>'`;
 * prints what the executor returned as the last line, `executor returned {...}`.
 */
async function main(): Promise<void> {
  const { options, context } = JSON.parse(process.argv[2]);
  const result = await agentExecutor(options, context);
  process.stdout.write(`executor returned ${JSON.stringify(result)}\n`);
}

void main();
