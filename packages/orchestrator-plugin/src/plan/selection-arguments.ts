import { parseArgs } from 'node:util';
import type { PlanSelection } from './nx-selection';

/** What `nx-agents plan` was asked, or what an `nx` command line selects. */
export interface SelectionArguments {
  selection: PlanSelection;
  /** undefined: not given (nx.json or Nx's default applies); null: unlimited. */
  parallel?: number | null;
  skipNxCache: boolean;
  skipRemoteCache: boolean;
}

export interface PlanArguments extends SelectionArguments {
  json: boolean;
  help: boolean;
}

/** A command line that cannot be understood; the message says how to write it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const SELECTION_OPTIONS = {
  targets: { type: 'string', short: 't', multiple: true },
  target: { type: 'string', multiple: true },
  projects: { type: 'string', short: 'p', multiple: true },
  exclude: { type: 'string', multiple: true },
  configuration: { type: 'string', short: 'c' },
  parallel: { type: 'string' },
  affected: { type: 'boolean' },
  base: { type: 'string' },
  head: { type: 'string' },
  files: { type: 'string', multiple: true },
  uncommitted: { type: 'boolean' },
  untracked: { type: 'boolean' },
  'skip-nx-cache': { type: 'boolean' },
  skipNxCache: { type: 'boolean' },
  'skip-remote-cache': { type: 'boolean' },
  skipRemoteCache: { type: 'boolean' },
} as const;

/**
 * `nx-agents plan [-t agent] [--projects a,b] [--exclude c] [--parallel N|unlimited]
 * [--affected [--base x] [--head y]] [--json]`: run-many's selection flags.
 */
export function parsePlanArguments(args: readonly string[], defaultTarget: string): PlanArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { ...SELECTION_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}": name targets with -t and projects with --projects`);
  return {
    ...fromValues(values, values.affected ? 'affected' : 'run-many', defaultTarget),
    json: values.json ?? false,
    help: values.help ?? false,
  };
}

/**
 * What an `nx` command line (process.argv of an Nx invocation) selects: `run-many`, `affected`,
 * `run project:target[:configuration]`, `project:target` and `target project` (Nx's infix form).
 * Undefined for commands that run no tasks of a known selection.
 */
export function selectionFromNxArgv(argv: readonly string[]): SelectionArguments | undefined {
  const nxIndex = argv.findIndex((arg) => /(^|[\\/])nx(\.js)?$/.test(arg));
  const args = argv.slice(nxIndex >= 0 ? nxIndex + 1 : 2);
  const parsed = parseArgs({ args, allowPositionals: true, strict: false, options: SELECTION_OPTIONS, tokens: true });
  // Nx (yargs) reads `-t build test` and `--projects a b` as lists: positionals right after such a flag belong to it.
  const values: Record<string, unknown> = { ...parsed.values };
  const positionals: string[] = [];
  let list: string | undefined;
  for (const token of parsed.tokens) {
    if (token.kind === 'option') list = ['targets', 'target', 'projects', 'exclude', 'files'].includes(token.name) ? token.name : undefined;
    else if (token.kind === 'positional' && list) values[list] = [...(Array.isArray(values[list]) ? (values[list] as string[]) : []), token.value];
    else if (token.kind === 'positional') positionals.push(token.value);
  }
  const [command, ...rest] = positionals;
  if (!command) return undefined;
  if (command === 'run-many' || command === 'affected') return fromValues(values, command, undefined);
  const reference = command === 'run' ? rest[0] : command.includes(':') ? command : undefined;
  if (reference) {
    const [project, target, configuration] = reference.split(':');
    if (!project || !target) return undefined;
    return fromValues({ ...values, targets: [target], projects: [project], ...(configuration ? { configuration } : {}) }, 'run', undefined);
  }
  // `nx <target> <project>`; other commands (graph, show, g, ...) run no tasks of their own.
  if (rest.length === 1 && !NX_COMMANDS.has(command)) return fromValues({ ...values, targets: [command], projects: [rest[0]] }, 'run', undefined);
  return undefined;
}

/** Nx commands that are not `nx <target> <project>`. */
const NX_COMMANDS = new Set([
  'graph',
  'show',
  'g',
  'generate',
  'add',
  'list',
  'report',
  'reset',
  'daemon',
  'migrate',
  'release',
  'init',
  'watch',
  'sync',
  'format',
  'exec',
  'import',
]);

function fromValues(values: Record<string, unknown>, command: PlanSelection['command'], defaultTarget: string | undefined): SelectionArguments {
  const list = (...names: string[]) =>
    names.flatMap((name) => {
      const value = values[name];
      const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
      return items
        .flatMap((item: string) => item.split(','))
        .map((item) => item.trim())
        .filter(Boolean);
    });
  const targets = list('targets', 'target');
  if (!targets.length && !defaultTarget) throw new UsageError('name the target to plan with -t');
  const selection: PlanSelection = {
    command,
    targets: targets.length ? targets : [defaultTarget!],
    ...(list('projects').length ? { projects: list('projects') } : {}),
    ...(list('exclude').length ? { exclude: list('exclude') } : {}),
    ...(typeof values.configuration === 'string' ? { configuration: values.configuration } : {}),
    ...(typeof values.base === 'string' ? { base: values.base } : {}),
    ...(typeof values.head === 'string' ? { head: values.head } : {}),
    ...(list('files').length ? { files: list('files') } : {}),
    ...(values.uncommitted ? { uncommitted: true } : {}),
    ...(values.untracked ? { untracked: true } : {}),
  };
  const parallel = parseParallel(values.parallel);
  return {
    selection,
    ...(parallel !== undefined ? { parallel } : {}),
    skipNxCache: Boolean(values['skip-nx-cache'] ?? values.skipNxCache),
    skipRemoteCache: Boolean(values['skip-remote-cache'] ?? values.skipRemoteCache),
  };
}

/** `--parallel=N`, `unlimited`; as Nx reads it, `false` is 1 and a bare `--parallel` its default. */
function parseParallel(value: unknown): number | null | undefined {
  if (value === undefined || value === true || value === 'true' || value === '') return undefined;
  if (value === 'false') return 1;
  if (value === 'unlimited' || value === 'infinity' || value === 'Infinity') return null;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--parallel must be a positive number or "unlimited", not "${String(value)}"`);
  return count;
}
