import type { ProcessOutcome, RunProcessOptions, runProcess } from '../agents/process/run-process';

/** One line the stand-in process prints, on stdout or stderr. */
export type ReplayedLine = { stdout: string } | { stderr: string };

/** A stand-in for `runProcess` and the runs it was asked for. */
export interface ReplayingProcess {
  runProcess: typeof runProcess;
  /** The options of every run, in order: what the adapter would have started. */
  runs: RunProcessOptions[];
}

/**
 * A stand-in for `runProcess` that starts nothing: it prints `lines` in order, each to the
 * callback of its stream, and exits 0. Adapter tests drive the real stream parsing and outcome
 * with recorded CLI output this way, and check the command, cwd, env and stdin it was given.
 */
export function replayingProcess(lines: ReplayedLine[]): ReplayingProcess {
  const runs: RunProcessOptions[] = [];
  return {
    runs,
    async runProcess(options): Promise<ProcessOutcome> {
      runs.push(options);
      for (const line of lines) {
        if ('stdout' in line) options.onStdoutLine?.(line.stdout);
        else options.onStderrLine?.(line.stderr);
      }
      return { exitCode: 0, signal: null, aborted: false, stdout: '', stderrTail: '' };
    },
  };
}
