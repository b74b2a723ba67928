import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { PreTasksExecution, ProjectGraph } from '@nx/devkit';
import { normalizePluginOptions, type AgentPluginOptions } from '../task-spec/plugin-options';
import type { Plan } from './build-plan';
import { decideLaunch, exceededLimits } from './launch-guard';
import type { PlanSelection } from './nx-selection';
import { selectionFromNxArgv, type SelectionArguments } from './selection-arguments';

/**
 * The launch guard: once per Nx invocation, before any task starts, refuse a run whose plan
 * exceeds the plugin's `maxTasks` or `maxEstimatedCost` (unless NX_AGENTS_CONFIRM is set).
 * Nx runs this hook in a fresh plugin worker with the invoking command's environment, with the
 * daemon on or off; an error thrown here stops the command before anything runs, and Nx prints
 * its message in the user's terminal (measured: see docs/plan.md).
 *
 * Cheap first: the selection's task graph from the project graph Nx just cached, every agent
 * task counted as running. Only when that is over a limit is the cache consulted, by the plan
 * command in a child process (Nx's hasher needs the file map of a process that built the graph),
 * so a run of cache hits is never refused. Should the plan itself fail, the run goes on with a
 * warning: a broken guard must not stop every Nx command.
 *
 * The plugin's one preTasksExecution (plugins/pre-tasks-execution.ts) calls it after naming the run.
 */
export const launchGuardHook: PreTasksExecution<AgentPluginOptions> = async (rawOptions, context) => {
  const options = normalizePluginOptions(rawOptions);
  if (options.maxTasks === undefined && options.maxEstimatedCost === undefined) return;
  const args = selectionFromNxArgv(context.argv);
  if (!args) return;
  const env = process.env;
  let plan: Plan;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when limits are set
    const { collectPlan } = require('./collect-plan') as typeof import('./collect-plan');
    const quick = await collectPlan({
      workspaceRoot: context.workspaceRoot,
      selection: args.selection,
      parallel: args.parallel,
      projectGraph: readProjectGraph(),
      checkCache: false,
    });
    if (!quick.plan.totals.agentTasks || !exceededLimits(quick.plan, options).length) return;
    plan = args.skipNxCache ? quick.plan : await planInChildProcess(context.workspaceRoot, args, env);
  } catch (error) {
    process.stderr.write(`nx-agents launch guard: could not compute the plan, the run goes on unchecked: ${(error as Error).message}\n`);
    return;
  }
  const decision = decideLaunch({
    plan,
    limits: options,
    env,
    command: commandLine(context.argv),
    planCommand: `npx nx-agents ${planArguments(args).join(' ')}`,
  });
  if (!decision.allowed) throw new Error(decision.message);
  if (decision.confirmedPast) process.stderr.write(`nx-agents launch guard: going on past its limits (${decision.confirmedPast}): NX_AGENTS_CONFIRM is set\n`);
};

/** The project graph Nx computed (and cached) for this invocation, before calling the hook. */
function readProjectGraph(): ProjectGraph {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when limits are set
  return (require('nx/src/project-graph/project-graph') as typeof import('nx/src/project-graph/project-graph')).readCachedProjectGraph();
}

/** `nx-agents plan --json` with the same selection: the cache-aware plan, as the user would see it. */
function planInChildProcess(workspaceRoot: string, args: SelectionArguments, env: NodeJS.ProcessEnv): Promise<Plan> {
  return new Promise((resolve, reject) => {
    // The package's nx-agents bin (dist/cli/nx-agents.js), which dispatches `plan` to this room.
    const child = spawn(process.execPath, [join(__dirname, '..', 'cli', 'nx-agents.js'), ...planArguments(args), '--json'], {
      cwd: workspaceRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`nx-agents plan exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
      try {
        resolve(JSON.parse(stdout) as Plan);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

/** `plan -t ... --projects ...`: the plan command for a selection. */
export function planArguments({ selection, parallel, skipNxCache, skipRemoteCache }: SelectionArguments): string[] {
  const list = (flag: string, values: readonly string[] | undefined) => (values?.length ? [`--${flag}=${values.join(',')}`] : []);
  const value = (flag: keyof PlanSelection) => (typeof selection[flag] === 'string' ? [`--${flag}=${String(selection[flag])}`] : []);
  return [
    'plan',
    ...(selection.command === 'affected' ? ['--affected'] : []),
    ...list('targets', selection.targets),
    ...list('projects', selection.projects),
    ...list('exclude', selection.exclude),
    ...list('files', selection.files),
    ...value('configuration'),
    ...value('base'),
    ...value('head'),
    ...(selection.uncommitted ? ['--uncommitted'] : []),
    ...(selection.untracked ? ['--untracked'] : []),
    ...(parallel !== undefined ? [`--parallel=${parallel ?? 'unlimited'}`] : []),
    ...(skipNxCache ? ['--skip-nx-cache'] : []),
    ...(skipRemoteCache ? ['--skip-remote-cache'] : []),
  ];
}

/** The Nx command as the user typed it, starting from `nx`. */
function commandLine(argv: readonly string[]): string {
  const nxIndex = argv.findIndex((arg) => /(^|[\\/])nx(\.js)?$/.test(arg));
  return ['nx', ...argv.slice(nxIndex >= 0 ? nxIndex + 1 : 2)].map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
