import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizePluginOptions, PLUGIN_NAME } from '../task-spec/plugin-options';
import { findPluginOptions, type PluginEntry } from '../workspace/plugin-registration';
import { collectPlan } from './collect-plan';
import { formatPlan } from './format-plan';
import { parsePlanArguments, UsageError } from './selection-arguments';

/** `nx-agents plan --help`. */
export const PLAN_HELP = `nx-agents plan: see what an agent run would do before paying for it

Usage: npx nx-agents plan [-t agent] [--projects a,b] [--exclude c] [--parallel N|unlimited]
                          [--affected [--base main] [--head HEAD] [--files x,y]] [--json]

Prints, without running anything: the batches (what can run together at --parallel), the
critical path, the write conflicts and what was serialized, which tasks are already cache hits
(Nx's own hash against the local and remote cache), and an estimate per task and in total of
duration, tokens and cost (from each task's last run record, else the plugin's "estimates"
option, else the provider's default, priced with the plugin's price table).

  -t, --targets        targets to plan (default: the plugin's aggregate target, "agent")
  -p, --projects       projects (names or patterns, comma-separated); default: all
      --exclude        projects to leave out
      --parallel       tasks at a time (default: nx.json "parallel", else 3); "unlimited"
      --affected       only what is affected, with --base/--head/--files/--uncommitted/--untracked
  -c, --configuration  the target configuration
      --skip-nx-cache, --skip-remote-cache   as for nx run-many
      --json           { batches, criticalPath, conflicts, tasks, totals } for tools`;

/** `nx-agents plan <args>`: prints the plan; exit 0, or 1 with the reason on stderr. Never throws. */
export async function runPlanCommand(args: readonly string[]): Promise<number> {
  try {
    return await plan(args);
  } catch (error) {
    process.stderr.write(`nx-agents: ${(error as Error).message}\n${error instanceof UsageError ? 'Run `npx nx-agents plan --help` for the options.\n' : ''}`);
    return 1;
  }
}

async function plan(rest: readonly string[]): Promise<number> {
  const workspaceRoot = findWorkspaceRoot();
  const plugins = (readJson(join(workspaceRoot, 'nx.json')) as { plugins?: PluginEntry[] }).plugins;
  const options = normalizePluginOptions(findPluginOptions(workspaceRoot, plugins, '.') ?? {});
  const args = parsePlanArguments(rest, options.aggregateTarget);
  if (args.help) {
    process.stdout.write(`${PLAN_HELP}\n`);
    return 0;
  }
  const { plan } = await collectPlan({
    workspaceRoot,
    selection: args.selection,
    parallel: args.parallel,
    skipNxCache: args.skipNxCache,
    skipRemoteCache: args.skipRemoteCache,
  });
  process.stdout.write(args.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
  return 0;
}

/** Nx's workspace root for the current folder (the nearest folder up with nx.json). */
function findWorkspaceRoot(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Nx resolves it from the current folder
  const { workspaceRoot } = require('nx/src/utils/workspace-root') as typeof import('nx/src/utils/workspace-root');
  try {
    readFileSync(join(workspaceRoot, 'nx.json'));
  } catch {
    throw new UsageError(`no nx.json found from ${process.cwd()}: run nx-agents inside an Nx workspace that registers ${PLUGIN_NAME}`);
  }
  return workspaceRoot;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
