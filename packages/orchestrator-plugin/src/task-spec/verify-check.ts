import { closestMatch } from './closest-match';

/**
 * A `verify` entry of a task: a check run after the agent finishes. Two kinds:
 * - `nx:<project>:<target>[:<configuration>] [--flag ...]`: an Nx target, run as
 *   `nx run <project>:<target>[:<configuration>] [--flag ...]` with the workspace's own nx;
 * - anything else: a shell command (`/bin/sh -c`), run in the agent's working directory.
 * Placeholders (`{project}`, `{projectRoot}`, `{workspaceRoot}`, `{task}`) are substituted when
 * the check runs; in a shell command each substitution is quoted for the shell.
 */
export type VerifyCheck = { kind: 'nx'; written: string; target: string; args: string[] } | { kind: 'shell'; written: string; command: string };

/** What a check's placeholders stand for when it runs. */
export interface VerifyCheckValues {
  project: string;
  /** Workspace-relative, `.` for a project at the root. */
  projectRoot: string;
  /** Absolute: the agent's workspace (its own worktree with `isolation: worktree`). */
  workspaceRoot: string;
  task: string;
}

export const VERIFY_PLACEHOLDERS: ReadonlyArray<keyof VerifyCheckValues> = ['project', 'projectRoot', 'workspaceRoot', 'task'];

const NX_PREFIX = 'nx:';
const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

/** A check that is runnable, or why it is not (the message names the entry and the fix). */
export type VerifyCheckParse = { ok: true; check: VerifyCheck } | { ok: false; message: string };

/**
 * Parses one `verify` entry. Pure. A placeholder that is not one of {@link VERIFY_PLACEHOLDERS}
 * but close to one (`{projct}`) is a problem; other braces are left alone, since shell commands
 * use them for their own ends (`awk '{print $1}'`, `{a,b}`, `${HOME}`).
 */
export function parseVerifyCheck(written: string): VerifyCheckParse {
  const entry = written.trim();
  if (entry === '') return { ok: false, message: 'a verify entry is empty: write a shell command or nx:<project>:<target>' };
  for (const match of entry.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if ((VERIFY_PLACEHOLDERS as readonly string[]).includes(name) || entry[(match.index ?? 0) - 1] === '$') continue;
    const close = closestMatch(name, VERIFY_PLACEHOLDERS);
    if (close) return { ok: false, message: `verify entry "${entry}" uses the placeholder {${name}}, which is not known. Did you mean {${close}}?` };
  }
  if (!entry.startsWith(NX_PREFIX)) return { ok: true, check: { kind: 'shell', written: entry, command: entry } };
  const [target, ...args] = entry.slice(NX_PREFIX.length).trim().split(/\s+/);
  const segments = target.split(':');
  if (segments.length < 2 || segments.some((segment) => segment === '')) {
    return {
      ok: false,
      message: `verify entry "${entry}" names no project and target: write nx:<project>:<target>[:<configuration>], e.g. nx:{project}:test`,
    };
  }
  return { ok: true, check: { kind: 'nx', written: entry, target, args } };
}

/**
 * The argv a check runs: `nx run <target> ...args` for an Nx target (substitutions are argv
 * elements, so they need no quoting), or `[shell, flag, command]` with every substitution
 * quoted for that shell, so a project root with a space or a `;` stays one word.
 */
export function verifyCheckCommand(
  check: VerifyCheck,
  values: VerifyCheckValues,
  platform: NodeJS.Platform = process.platform,
): { kind: VerifyCheck['kind']; argv: string[] } {
  if (check.kind === 'nx') {
    return {
      kind: 'nx',
      argv: ['run', substitute(check.target, values, (value) => value), ...check.args.map((arg) => substitute(arg, values, (value) => value))],
    };
  }
  const quote = platform === 'win32' ? quoteForCmd : quoteForPosixShell;
  const command = substitute(check.command, values, quote);
  return { kind: 'shell', argv: platform === 'win32' ? ['cmd.exe', '/d', '/s', '/c', command] : ['/bin/sh', '-c', command] };
}

function substitute(text: string, values: VerifyCheckValues, quote: (value: string) => string): string {
  return text.replace(PLACEHOLDER, (whole, name: string, offset: number) => {
    if (!Object.hasOwn(values, name) || text[offset - 1] === '$') return whole;
    return quote(values[name as keyof VerifyCheckValues]);
  });
}

/** One word for a POSIX shell, whatever it contains: single quotes, with `'` written as `'\''`. */
export function quoteForPosixShell(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One argument for cmd.exe: double quotes, with `"` doubled. */
function quoteForCmd(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}
