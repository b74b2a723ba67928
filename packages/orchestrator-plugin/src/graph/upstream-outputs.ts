import { minimatch } from 'minimatch';

/** A spec pattern made workspace-relative for one project (`{projectRoot}` and `{workspaceRoot}` resolved). */
export function resolvePattern(pattern: string, projectRoot: string): string {
  const resolved = pattern
    .replace(/^\{workspaceRoot\}\/?/, '')
    .replace(/^\{projectRoot\}\/?/, projectRoot === '.' ? '' : `${projectRoot}/`);
  return pattern.startsWith('{') ? resolved : `${projectRoot === '.' ? '' : `${projectRoot}/`}${pattern.replace(/^\.\//, '')}`;
}

/**
 * Whether an upstream task produces the context input: the input is a literal path matched
 * by one of the upstream output patterns (or equal to one). Nx hashes workspace files from
 * an index taken when the command starts, so such an input must be keyed through the
 * upstream task's outputs instead; anything less certain stays a plain file input.
 */
export function producedUpstream(input: string, upstreamOutputs: readonly string[]): boolean {
  if (input.startsWith('!')) return false;
  const literal = !/[*?[\]{}]/.test(input);
  return upstreamOutputs.some((output) => output === input || (literal && (minimatch(input, output, { dot: true }) || input.startsWith(`${output.replace(/\/$/, '')}/`))));
}
