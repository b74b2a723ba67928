import { readFileSync } from 'node:fs';

const DEFAULT_PARALLEL = 3;

/**
 * How many agents a batch runs at once. Nx does not hand `--parallel` to a batch worker, so
 * it is read from `NX_PARALLEL`, else from the command line of the nx process that started
 * the worker (Linux /proc), else nx.json's `parallel`, else Nx's own default of 3.
 */
export function batchConcurrency(nxJsonParallel: number | undefined, readParentCommandLine: () => string[] | undefined = parentCommandLine): number {
  const fromEnvironment = Number(process.env.NX_PARALLEL);
  if (fromEnvironment >= 1) return Math.floor(fromEnvironment);
  const argv = readParentCommandLine() ?? [];
  for (let index = 0; index < argv.length; index++) {
    const match = /^--(parallel|maxParallel|max-parallel)(?:=(.*))?$/.exec(argv[index]);
    if (!match) continue;
    const value = match[2] ?? (/^\d+$/.test(argv[index + 1] ?? '') ? argv[index + 1] : undefined);
    if (value === 'false') return 1;
    const parsed = Number(value);
    return parsed >= 1 ? Math.floor(parsed) : DEFAULT_PARALLEL;
  }
  return nxJsonParallel && nxJsonParallel >= 1 ? nxJsonParallel : DEFAULT_PARALLEL;
}

function parentCommandLine(): string[] | undefined {
  try {
    return readFileSync(`/proc/${process.ppid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}
