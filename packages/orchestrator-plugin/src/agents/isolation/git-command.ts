import { spawn, spawnSync } from 'node:child_process';

/** One git invocation: argv only, never a shell string. */
export interface GitRequest {
  cwd: string;
  args: readonly string[];
  /** Written to stdin, then closed. */
  input?: string | Buffer;
  /** Variables over the base environment (e.g. GIT_INDEX_FILE for a private index). */
  env?: Record<string, string>;
  /** The base environment; default `process.env` (never mutated). */
  baseEnv?: NodeJS.ProcessEnv;
}

/** A git command that exited non-zero, with what it said. */
export class GitCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${stderr.trim() || 'no message'}`);
    this.name = 'GitCommandError';
  }
}

// Variables a git hook or an outer git process may have set that would point these commands at
// another repository, index or work tree than the one named by `cwd`.
const INHERITED_GIT_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_NAMESPACE', 'GIT_CEILING_DIRECTORIES'];

/**
 * The argv and environment of a git command run on the plugin's behalf: the repository is the
 * one `cwd` is in, hooks are off (a checkout of a task's worktree must not run the user's
 * post-checkout hook), and git never prompts.
 */
function gitInvocation(request: GitRequest): { args: string[]; env: NodeJS.ProcessEnv } {
  const env: NodeJS.ProcessEnv = { ...(request.baseEnv ?? process.env) };
  for (const name of INHERITED_GIT_VARIABLES) delete env[name];
  return {
    args: ['-c', 'core.hooksPath=/dev/null', '-c', 'core.quotePath=false', ...request.args],
    env: { ...env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', ...request.env },
  };
}

/** Runs git and resolves with its stdout as bytes; rejects with {@link GitCommandError}. */
export function gitBytes(request: GitRequest): Promise<Buffer> {
  const { args, env } = gitInvocation(request);
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: request.cwd, env, stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error) => reject(new GitCommandError(request.args, null, `could not run git: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(stdout));
      else reject(new GitCommandError(request.args, code, Buffer.concat(stderr).toString('utf8')));
    });
    if (request.input !== undefined) {
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(request.input);
    }
  });
}

/** Runs git and resolves with its stdout as text. */
export async function git(request: GitRequest): Promise<string> {
  return (await gitBytes(request)).toString('utf8');
}

/**
 * Runs git synchronously. Only for cleanup that must finish inside a process `exit` handler or
 * a signal's last moments, where nothing asynchronous runs any more.
 */
export function gitSync(request: GitRequest): string {
  const { args, env } = gitInvocation(request);
  const result = spawnSync('git', args, {
    cwd: request.cwd,
    env,
    input: request.input,
    encoding: 'utf8',
    stdio: [request.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (result.error) throw new GitCommandError(request.args, null, `could not run git: ${result.error.message}`);
  if (result.status !== 0) throw new GitCommandError(request.args, result.status, result.stderr);
  return result.stdout;
}

/** Splits NUL-terminated git output (`-z`) into its entries. */
export function nulSeparated(output: string | Buffer): string[] {
  return output
    .toString('utf8')
    .split('\0')
    .filter((entry) => entry !== '');
}
