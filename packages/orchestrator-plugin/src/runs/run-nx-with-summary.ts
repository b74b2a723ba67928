import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { foregroundChild } from 'foreground-child';
import { SUMMARY_PRINTED_BY_WRAPPER, SUMMARY_PRINTER_VARIABLE } from './report-run-summary';
import { formatRunSummary, type RunSummary } from './run-summary';
import { readRunSummary } from './run-summary-file';
import { REPORT_PATH } from './write-run-report';

/** Running the workspace's nx in the foreground, then showing the summary it left. */
export interface NxWithSummaryRequest {
  workspaceRoot: string;
  /** The arguments after `nx`. */
  nxArguments: string[];
  env: NodeJS.ProcessEnv;
  clock?: () => number;
  write?: (text: string) => Promise<void>;
}

/**
 * Runs `nx <nxArguments>` as the foreground process (the terminal, its TUI and Ctrl-C are
 * nx's; signals sent to this process are passed on; this process exits as nx did) and, once nx
 * has exited and given the terminal back, prints the run summary that this invocation wrote.
 * That is the one place the summary can appear when the Nx daemon runs the post-tasks hook:
 * nothing a plugin prints from the daemon, nor a task's output, reaches the terminal after the
 * run (measured, see docs/run-summary.md). The hook is told not to print it a second time.
 */
export function runNxWithSummary({ workspaceRoot, nxArguments, env, clock = Date.now, write = writeToStdout }: NxWithSummaryRequest): void {
  const startedAt = clock();
  foregroundChild(
    process.execPath,
    [nxCliPath(workspaceRoot), ...nxArguments],
    { cwd: process.cwd(), env: { ...env, [SUMMARY_PRINTER_VARIABLE]: SUMMARY_PRINTED_BY_WRAPPER } },
    async () => {
      const summary = summaryOfInvocation({ workspaceRoot, nxArguments, startedAt });
      // The hook wrote the report beside the summary, after it: a report not older than the summary is this run's.
      if (summary) await write(`\n${formatRunSummary(summary)}${reportLine(workspaceRoot, summary)}`);
      // undefined: exit as nx did.
    },
  );
}

/**
 * The summary the nx invocation started at `startedAt` with `nxArguments` wrote, or undefined
 * when it wrote none (it ran no agent task, failed before running tasks, or was stopped before
 * its post-tasks hook): then `.agent-runs/summary.json` is an older run's, or another command's.
 */
export function summaryOfInvocation({
  workspaceRoot,
  nxArguments,
  startedAt,
}: {
  workspaceRoot: string;
  nxArguments: string[];
  startedAt: number;
}): RunSummary | undefined {
  const reading = readRunSummary(workspaceRoot);
  if (!('summary' in reading)) return undefined;
  const { summary } = reading;
  const sameCommand = summary.command.length === nxArguments.length && summary.command.every((argument, index) => argument === nxArguments[index]);
  return sameCommand && Date.parse(summary.startedAt) >= startedAt ? summary : undefined;
}

/** The nearest folder at or above `from` holding nx.json (where nx itself finds the workspace), or undefined. */
export function findWorkspaceRoot(from: string): string | undefined {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'nx.json'))) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}

/** The nx CLI script the workspace has installed. */
export function nxCliPath(workspaceRoot: string): string {
  let manifestPath: string;
  try {
    manifestPath = require.resolve('nx/package.json', { paths: [workspaceRoot] });
  } catch {
    throw new Error(`nx is not installed in ${workspaceRoot}: npm install --save-dev nx`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.nx;
  if (!bin) throw new Error(`${manifestPath} names no nx command (no "bin")`);
  return join(dirname(manifestPath), bin);
}

/** Writes to stdout and waits until it is flushed: the process exits right after. */
function writeToStdout(text: string): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(text, (error) => (error ? reject(error) : resolve())));
}

/** `Run report: .agent-runs/report.html` when the hook wrote this invocation's report, else nothing. */
function reportLine(workspaceRoot: string, summary: RunSummary): string {
  try {
    return statSync(join(workspaceRoot, REPORT_PATH)).mtimeMs >= Date.parse(summary.startedAt) ? `Run report: ${REPORT_PATH}\n` : '';
  } catch {
    return '';
  }
}
