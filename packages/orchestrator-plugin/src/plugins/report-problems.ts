import { formatSpecProblem, type SpecProblem } from '../task-spec/spec-error';

/** Reports with at most this many entries are printed whole; larger ones are grouped by kind. */
const PRINT_WHOLE_UP_TO = 12;
/** Examples shown per kind in a grouped report, and kinds shown per section: about 30 lines in all. */
const EXAMPLES_PER_KIND = 1;
const PROBLEM_KINDS_SHOWN = 5;
const WARNING_KINDS_SHOWN = 3;

/** What a problem report is built from. */
export interface ProblemReportRequest {
  problems: readonly SpecProblem[];
  warnings: readonly SpecProblem[];
  aggregateTarget: string;
  profileProblems?: readonly string[];
  /** Where the full list was written, named when the printed report is grouped. */
  fullListPath?: string;
}

/**
 * The text printed while invalid specs exist: whole when short; otherwise a count per kind with
 * the first few of each, in at most about 30 lines whatever the workspace holds, and the path of
 * the full list. The same messages also live on the failing targets.
 */
export function formatProblemReport({ problems, warnings, aggregateTarget, profileProblems = [], fullListPath }: ProblemReportRequest): string {
  const lines: string[] = [];
  const grouped = problems.length + warnings.length > PRINT_WHOLE_UP_TO || profileProblems.length > PRINT_WHOLE_UP_TO;
  if (profileProblems.length) {
    lines.push(
      `nx-agent-orchestrator: ${profileProblems.length} unreadable Claude Code subagent file${profileProblems.length === 1 ? '' : 's'} (its profile is unavailable):`,
    );
    const shown = grouped ? profileProblems.slice(0, EXAMPLES_PER_KIND) : profileProblems;
    lines.push(...shown.map((problem) => `  ${problem}`));
    if (shown.length < profileProblems.length) lines.push(`  ... and ${profileProblems.length - shown.length} more`);
  }
  if (problems.length) {
    const files = new Set(problems.map((problem) => problem.file)).size;
    lines.push(
      `nx-agent-orchestrator: ${count(problems.length, 'problem')} in ${count(files, 'agent task spec file')}. ` +
        `Valid tasks still run; running an invalid one fails with its problem.`,
    );
    lines.push(...(grouped ? groupByKind(problems, PROBLEM_KINDS_SHOWN) : problems.map((problem) => `  ${formatSpecProblem(problem)}`)));
  }
  if (warnings.length) {
    lines.push(
      `nx-agent-orchestrator: ${count(warnings.length, 'warning')} (the tasks still run as the dependencies say; \`nx run-many -t ${aggregateTarget}\` is unaffected):`,
    );
    lines.push(...(grouped ? groupByKind(warnings, WARNING_KINDS_SHOWN) : warnings.map((warning) => `  ${formatSpecProblem(warning)}`)));
  }
  if (grouped && fullListPath) lines.push(`nx-agent-orchestrator: the full list is in ${fullListPath}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Every problem and warning, one per line, for the file the grouped report points at. */
export function formatFullProblemList(problems: readonly SpecProblem[], warnings: readonly SpecProblem[]): string {
  const lines = [
    ...problems.map((problem) => `error ${problem.code} ${formatSpecProblem(problem)}`),
    ...warnings.map((warning) => `warning ${warning.code} ${formatSpecProblem(warning)}`),
  ];
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `  unknown-dependency: 4 (in 2 files)` then the first examples, kinds by count, largest first. */
function groupByKind(problems: readonly SpecProblem[], kindsShown: number): string[] {
  const byKind = new Map<string, SpecProblem[]>();
  for (const problem of problems) {
    const list = byKind.get(problem.code);
    if (list) list.push(problem);
    else byKind.set(problem.code, [problem]);
  }
  const kinds = [...byKind].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const lines: string[] = [];
  for (const [kind, list] of kinds.slice(0, kindsShown)) {
    const files = new Set(list.map((problem) => problem.file)).size;
    lines.push(`  ${kind}: ${list.length}${files > 1 ? ` (in ${files} files)` : ''}`);
    lines.push(...list.slice(0, EXAMPLES_PER_KIND).map((problem) => `    ${cut(formatSpecProblem(problem))}`));
    if (list.length > EXAMPLES_PER_KIND) lines.push(`    ... and ${(list.length - EXAMPLES_PER_KIND).toLocaleString('en-US')} more`);
  }
  const hidden = kinds.slice(kindsShown);
  if (hidden.length) lines.push(`  ... and ${hidden.reduce((sum, [, list]) => sum + list.length, 0)} more of ${hidden.length} other kinds`);
  return lines;
}

/** One report line stays one terminal line or two, whatever the message holds. */
function cut(line: string): string {
  return line.length > 240 ? `${line.slice(0, 237)}...` : line;
}

function count(value: number, noun: string): string {
  return `${value.toLocaleString('en-US')} ${noun}${value === 1 ? '' : 's'}`;
}
