#!/usr/bin/env node
import { formatRunSummary } from './run-summary';
import { readRunSummary } from './run-summary-file';
import { findWorkspaceRoot, runNxWithSummary } from './run-nx-with-summary';

const HELP = `nx-agents: run Nx, then show the agent run summary

Usage:
  nx-agents run-many -t agent [nx options]   nx run-many ..., then the run summary
  nx-agents run <project>:<target> [...]     also: affected, <project>:<target>
  nx-agents summary [--json]                 the last run summary (.agent-runs/summary.json)

Plain nx prints the summary itself when the Nx daemon is off (CI, containers, NX_DAEMON=false).
With the daemon on, Nx runs the plugin's post-tasks hook inside the daemon, whose output goes to
its log: run agent tasks through nx-agents to see the summary in the terminal.`;

/** Commands passed to nx as they are: the ones that run tasks. */
const NX_TASK_COMMANDS = new Set(['run', 'run-many', 'affected']);

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    process.exitCode = command === undefined ? 1 : 0;
    return;
  }
  const workspaceRoot = findWorkspaceRoot(process.cwd());
  if (!workspaceRoot) return fail(`no nx.json in ${process.cwd()} or above: run nx-agents inside an Nx workspace`);
  if (command === 'summary') return showSummary(workspaceRoot, rest);
  if (NX_TASK_COMMANDS.has(command) || (!command.startsWith('-') && command.includes(':'))) {
    try {
      return runNxWithSummary({ workspaceRoot, nxArguments: argv, env: process.env });
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  fail(`unknown command "${command}"\n\n${HELP}`);
}

function showSummary(workspaceRoot: string, options: string[]): void {
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

main(process.argv.slice(2));
