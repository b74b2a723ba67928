#!/usr/bin/env node
import { PLAN_HELP, runPlanCommand } from '../plan/plan-command';
import { isRunsCommand, RUN_COMMANDS_HELP, RUN_SUMMARY_NOTE, runRunsCommand } from '../runs/nx-agents-commands';

const HELP = `nx-agents: plan an agent run, run it with Nx, show what it did

Usage:
  nx-agents plan [-t agent] [nx selection]   what a run would do and cost; runs nothing
${RUN_COMMANDS_HELP}

${RUN_SUMMARY_NOTE}

nx-agents plan --help lists the plan's options.`;

/** `npx nx-agents <command>`: the package's one command, each subcommand owned by its room. */
function main(argv: readonly string[]): void {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    process.exitCode = command === undefined ? 1 : 0;
    return;
  }
  if (command === 'plan') {
    if (rest.length === 1 && ['--help', '-h', 'help'].includes(rest[0])) {
      process.stdout.write(`${PLAN_HELP}\n`);
      return;
    }
    void runPlanCommand(rest).then((code) => {
      process.exitCode = code;
    });
    return;
  }
  if (isRunsCommand(command)) return runRunsCommand(argv);
  process.stderr.write(`nx-agents: unknown command "${command}"\n\n${HELP}\n`);
  process.exitCode = 1;
}

main(process.argv.slice(2));
