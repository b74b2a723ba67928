import { formatRunSummary } from './run-summary';
import { readRunSummary } from './run-summary-file';
import { findWorkspaceRoot, runNxWithSummary } from './run-nx-with-summary';

/** The run commands' lines of `nx-agents --help`. */
export const RUN_COMMANDS_HELP = `  nx-agents run-many -t agent [nx options]   nx run-many ..., then the run summary
  nx-agents run <project>:<target> [...]     also: affected, <project>:<target>
  nx-agents summary [--json]                 the last run summary (.agent-runs/summary.json)`;

/** Why the wrapper exists, for `nx-agents --help`. */
export const RUN_SUMMARY_NOTE = `Plain nx prints the summary itself when the Nx daemon is off (CI, containers, NX_DAEMON=false).
With the daemon on, Nx runs the plugin's post-tasks hook inside the daemon, whose output goes to
its log: run agent tasks through nx-agents to see the summary in the terminal.`;

/** Commands passed to nx as they are: the ones that run tasks. */
const NX_TASK_COMMANDS = new Set(['run', 'run-many', 'affected']);

/** The commands this room answers: the ones nx runs tasks with, and `summary`. */
export function isRunsCommand(command: string): boolean {
  return command === 'summary' || NX_TASK_COMMANDS.has(command) || (!command.startsWith('-') && command.includes(':'));
}

/**
 * `nx-agents run-many|run|affected|<project>:<target> ...` (nx in the foreground, then this
 * invocation's summary) and `nx-agents summary [--json]`. Sets process.exitCode.
 */
export function runRunsCommand(argv: readonly string[]): void {
  const [command, ...rest] = argv;
  const workspaceRoot = findWorkspaceRoot(process.cwd());
  if (!workspaceRoot) return fail(`no nx.json in ${process.cwd()} or above: run nx-agents inside an Nx workspace`);
  if (command === 'summary') return showSummary(workspaceRoot, rest);
  try {
    return runNxWithSummary({ workspaceRoot, nxArguments: [...argv], env: process.env });
  } catch (error) {
    return fail((error as Error).message);
  }
}

function showSummary(workspaceRoot: string, options: readonly string[]): void {
  const unknown = options.find((option) => option !== '--json');
  if (unknown) return fail(`unknown option "${unknown}" for summary (only --json)`);
  const reading = readRunSummary(workspaceRoot);
  if (!('summary' in reading)) {
    return fail(reading.problem === 'missing' ? `no run summary yet: ${reading.detail}. Run agent tasks first (nx-agents run-many -t agent).` : reading.detail);
  }
  process.stdout.write(options.includes('--json') ? `${JSON.stringify(reading.summary, null, 2)}\n` : formatRunSummary(reading.summary));
}

function fail(message: string): void {
  process.stderr.write(`nx-agents: ${message}\n`);
  process.exitCode = 1;
}
