import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isReallyInside } from '../real-path-inside';

/** The file tools a model-API agent can be given: all of them work inside the workspace only. */
export type FileToolName = 'read_file' | 'write_file' | 'edit_file' | 'list_files';

/** A tool as both APIs describe it: a name, what it does, and a JSON schema of its input. */
export interface FileToolDefinition {
  name: FileToolName;
  description: string;
  parameters: { type: 'object'; properties: Record<string, { type: string; description: string }>; required: string[] };
  /** Whether the tool changes files (left out in read-only permission modes). */
  writes: boolean;
}

/** One tool call the model made. `input` is the parsed JSON, or the raw text when it was not valid JSON. */
export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
}

/** What a tool call produced, sent back to the model. */
export interface ToolOutcome {
  content: string;
  isError: boolean;
  /** Workspace-relative path of a file the call wrote. */
  fileWritten?: string;
}

const PATH_PARAMETER = { type: 'string', description: 'Path relative to the workspace root (absolute paths must lie inside it).' };
/** A model never needs a whole huge file in its context; it sees the head and a note. */
const READ_LIMIT_CHARACTERS = 200_000;
const LIST_LIMIT_ENTRIES = 1_000;

/** Every file tool, in the order they are offered to a model. */
export const FILE_TOOLS: readonly FileToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a UTF-8 text file of the workspace.',
    parameters: { type: 'object', properties: { path: PATH_PARAMETER }, required: ['path'] },
    writes: false,
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file of the workspace with the given content; missing folders are created.',
    parameters: {
      type: 'object',
      properties: { path: PATH_PARAMETER, content: { type: 'string', description: 'The complete new content of the file.' } },
      required: ['path', 'content'],
    },
    writes: true,
  },
  {
    name: 'edit_file',
    description: 'Replace one exact occurrence of old_text by new_text in a workspace file. old_text must occur exactly once.',
    parameters: {
      type: 'object',
      properties: {
        path: PATH_PARAMETER,
        old_text: { type: 'string', description: 'Text to replace, copied exactly from the file.' },
        new_text: { type: 'string', description: 'The replacement text.' },
      },
      required: ['path', 'old_text', 'new_text'],
    },
    writes: true,
  },
  {
    name: 'list_files',
    description: 'List the entries of a workspace folder (folders end with "/"). Default: the workspace root.',
    parameters: { type: 'object', properties: { path: PATH_PARAMETER }, required: [] },
    writes: false,
  },
];

/** A tool call that cannot be carried out; its message goes back to the model as an error result. */
class ToolRefusal extends Error {}

/**
 * Resolves a path a model gave against the workspace root and refuses any that leaves it,
 * through `..`, an absolute path elsewhere, or a symbolic link pointing outside, and any
 * inside `.git`. Returns the absolute path and the workspace-relative one (with `/`).
 */
export function resolveWorkspacePath(workspaceRoot: string, path: unknown): { absolute: string; relative: string } {
  if (typeof path !== 'string' || path.trim() === '') throw new ToolRefusal('"path" must be a non-empty string');
  const root = resolve(workspaceRoot);
  const absolute = resolve(root, path);
  const inside = relative(root, absolute);
  if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
    throw new ToolRefusal(`"${path}" is outside the workspace; use a path inside ${root}`);
  const parts = inside.split(sep);
  if (parts[0] === '.git') throw new ToolRefusal(`"${path}" is inside .git, which agents may not touch`);
  if (!isReallyInside(root, absolute)) throw new ToolRefusal(`"${path}" leads outside the workspace through a symbolic link`);
  return { absolute, relative: inside.split(sep).join('/') || '.' };
}

function stringField(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (typeof value !== 'string') throw new ToolRefusal(`"${name}" must be a string`);
  return value;
}

/** The input's path; models trained on other clients often send `file_path`. */
function pathField(input: Record<string, unknown>): unknown {
  return input.path ?? input.file_path;
}

function readFile(root: string, input: Record<string, unknown>): ToolOutcome {
  const target = resolveWorkspacePath(root, pathField(input));
  if (!existsSync(target.absolute)) throw new ToolRefusal(`${target.relative} does not exist`);
  if (statSync(target.absolute).isDirectory()) throw new ToolRefusal(`${target.relative} is a folder; use list_files`);
  const text = readFileSync(target.absolute, 'utf8');
  if (text.length <= READ_LIMIT_CHARACTERS) return { content: text, isError: false };
  return { content: `${text.slice(0, READ_LIMIT_CHARACTERS)}\n[truncated: the file has ${text.length} characters]`, isError: false };
}

function writeFile(root: string, input: Record<string, unknown>): ToolOutcome {
  const target = resolveWorkspacePath(root, pathField(input));
  const content = stringField(input, 'content');
  if (existsSync(target.absolute) && lstatSync(target.absolute).isDirectory()) throw new ToolRefusal(`${target.relative} is a folder`);
  mkdirSync(dirname(target.absolute), { recursive: true });
  writeFileSync(target.absolute, content);
  return { content: `Wrote ${target.relative} (${Buffer.byteLength(content)} bytes).`, isError: false, fileWritten: target.relative };
}

function editFile(root: string, input: Record<string, unknown>): ToolOutcome {
  const target = resolveWorkspacePath(root, pathField(input));
  const oldText = stringField(input, 'old_text');
  const newText = stringField(input, 'new_text');
  if (!existsSync(target.absolute)) throw new ToolRefusal(`${target.relative} does not exist; use write_file to create it`);
  const text = readFileSync(target.absolute, 'utf8');
  const count = oldText === '' ? 0 : text.split(oldText).length - 1;
  if (count !== 1) throw new ToolRefusal(`old_text occurs ${count} times in ${target.relative}; it must occur exactly once`);
  writeFileSync(
    target.absolute,
    text.replace(oldText, () => newText),
  );
  return { content: `Edited ${target.relative}.`, isError: false, fileWritten: target.relative };
}

function listFiles(root: string, input: Record<string, unknown>): ToolOutcome {
  const target = resolveWorkspacePath(root, pathField(input) ?? '.');
  if (!existsSync(target.absolute) || !statSync(target.absolute).isDirectory()) throw new ToolRefusal(`${target.relative} is not a folder`);
  const entries = readdirSync(target.absolute, { withFileTypes: true })
    .filter((entry) => !(target.relative === '.' && entry.name === '.git'))
    .map((entry) => (isFolder(join(target.absolute, entry.name)) ? `${entry.name}/` : entry.name))
    .sort();
  const shown = entries.slice(0, LIST_LIMIT_ENTRIES);
  const more = entries.length > shown.length ? `\n[${entries.length - shown.length} more entries not shown]` : '';
  return { content: shown.length ? shown.join('\n') + more : '(empty folder)', isError: false };
}

/** Whether a path is a folder, following links (a broken link is not). */
function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const RUNNERS: Record<FileToolName, (root: string, input: Record<string, unknown>) => ToolOutcome> = {
  read_file: readFile,
  write_file: writeFile,
  edit_file: editFile,
  list_files: listFiles,
};

/**
 * Carries out one tool call inside the workspace. Anything wrong with the call (a tool the
 * profile does not allow, bad input, a path outside the workspace, a missing file) becomes an
 * error result for the model to read and correct, never an exception.
 */
export function runFileTool(call: ToolCall, workspaceRoot: string, allowed: readonly FileToolDefinition[]): ToolOutcome {
  const tool = allowed.find((candidate) => candidate.name === call.name);
  if (!tool) {
    const names = allowed.map((candidate) => candidate.name).join(', ') || 'none';
    return { content: `Error: tool "${call.name}" is not available. Available tools: ${names}.`, isError: true };
  }
  const input = call.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { content: `Error: the input of ${call.name} must be a JSON object, got ${JSON.stringify(input)?.slice(0, 200)}`, isError: true };
  }
  try {
    return RUNNERS[tool.name](workspaceRoot, input as Record<string, unknown>);
  } catch (error) {
    const message = error instanceof ToolRefusal ? error.message : `${(error as NodeJS.ErrnoException).code ?? 'error'}: ${(error as Error).message}`;
    return { content: `Error: ${message}`, isError: true };
  }
}

/** A short description of a call for progress lines: the tool's path argument. */
export function describeToolCall(call: ToolCall): string | undefined {
  if (typeof call.input !== 'object' || call.input === null) return undefined;
  const path = pathField(call.input as Record<string, unknown>);
  return typeof path === 'string' ? path : undefined;
}
