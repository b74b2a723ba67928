import { formatSpecProblem, type SpecProblem } from '../task-spec/spec-error';

/**
 * The text printed while invalid specs exist. Nx shows a plugin's stderr when it computes
 * the graph in the foreground; the same messages also live on the failing targets, which
 * is the channel that works when the daemon computes the graph.
 */
export function formatProblemReport(
  problems: readonly SpecProblem[],
  warnings: readonly SpecProblem[],
  aggregateTarget: string,
  profileProblems: readonly string[] = [],
): string {
  const lines: string[] = [];
  if (profileProblems.length) {
    lines.push(
      `nx-agent-orchestrator: ${profileProblems.length} unreadable Claude Code subagent file${profileProblems.length === 1 ? '' : 's'} (its profile is unavailable):`,
    );
    lines.push(...profileProblems.map((problem) => `  ${problem}`));
  }
  if (problems.length) {
    const files = new Set(problems.map((problem) => problem.file)).size;
    lines.push(
      `nx-agent-orchestrator: ${problems.length} problem${problems.length === 1 ? '' : 's'} in ${files} agent task spec file${files === 1 ? '' : 's'}. ` +
        `Valid tasks still run; running an invalid one fails with its problem.`,
    );
    lines.push(...problems.map((problem) => `  ${formatSpecProblem(problem)}`));
  }
  if (warnings.length) {
    lines.push(
      `nx-agent-orchestrator: ${warnings.length} warning${warnings.length === 1 ? '' : 's'} (the tasks still run as the dependencies say; \`nx run-many -t ${aggregateTarget}\` is unaffected):`,
    );
    lines.push(...warnings.map((warning) => `  ${formatSpecProblem(warning)}`));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}
