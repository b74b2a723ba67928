import { copyFileSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ignore from 'ignore';

/** The file naming ignored files a worktree gets too, as Claude Code reads it (gitignore syntax, at the repository root). */
export const WORKTREE_INCLUDE_FILE = '.worktreeinclude';

// Enough for `.env` files and local config; a pattern that reaches into a build output is cut off here.
const MAX_FILES = 1_000;
// How many entries of ignored folders it looks at: the walk stays short whatever is ignored.
const MAX_VISITED = 20_000;

export interface CopyWorktreeIncludesRequest {
  gitRoot: string;
  worktree: string;
  /** Ignored entries of the main checkout (`git ls-files --others --ignored --directory`): files, and folders ending in `/`. */
  ignoredEntries: readonly string[];
  /** Repository-relative folders never copied (the plugin's own state). */
  exclude: readonly string[];
}

/**
 * Copies the ignored files that `.worktreeinclude` names (`.env`, local settings) from the
 * main checkout into a task's worktree, so the agent and its checks find them as the user's
 * own tools do. Untracked files that are not ignored are in the worktree already. Never
 * descends into `node_modules` (linked instead), `.git`, `.nx` or the excluded folders; stops
 * after 1,000 files or 20,000 entries looked at. Returns the repository-relative paths copied.
 */
export function copyWorktreeIncludes(request: CopyWorktreeIncludesRequest): string[] {
  const includeFile = join(request.gitRoot, WORKTREE_INCLUDE_FILE);
  if (!existsSync(includeFile)) return [];
  const matcher = ignore().add(readFileSync(includeFile, 'utf8'));
  const skipped = (path: string) =>
    /(^|\/)(node_modules|\.git|\.nx)(\/|$)/.test(path) || request.exclude.some((folder) => path === folder || path.startsWith(`${folder}/`));
  const copied: string[] = [];
  let visited = 0;
  const visit = (path: string, folder: boolean) => {
    visited += 1;
    if (copied.length >= MAX_FILES || visited > MAX_VISITED || skipped(path)) return;
    if (!folder) {
      if (matcher.ignores(path) && copyEntry(request.gitRoot, request.worktree, path)) copied.push(path);
      return;
    }
    // A folder: copy what inside it matches (the folder itself may match, which `ignores` says for its contents).
    for (const name of readdirSync(join(request.gitRoot, path)).sort()) {
      const child = `${path}/${name}`;
      visit(child, lstatSync(join(request.gitRoot, child)).isDirectory());
    }
  };
  for (const entry of request.ignoredEntries) {
    const folder = entry.endsWith('/');
    visit(folder ? entry.slice(0, -1) : entry, folder);
  }
  return copied;
}

function copyEntry(from: string, to: string, path: string): boolean {
  const source = join(from, path);
  const destination = join(to, path);
  if (existsSync(destination)) return false;
  mkdirSync(dirname(destination), { recursive: true });
  const stats = lstatSync(source);
  if (stats.isSymbolicLink()) symlinkSync(readlinkSync(source), destination);
  else if (stats.isFile()) copyFileSync(source, destination);
  else return false;
  return true;
}
