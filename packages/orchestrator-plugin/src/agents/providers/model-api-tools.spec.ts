import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_TOOLS, describeToolCall, resolveWorkspacePath, runFileTool } from './model-api-tools';

let root: string;
let outside: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'model-api-tools-'));
  outside = mkdtempSync(join(tmpdir(), 'model-api-outside-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src/index.ts'), 'export const a = 1;\nexport const b = 2;\n');
  mkdirSync(join(root, '.git'));
  symlinkSync(outside, join(root, 'link-out'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const call = (name: string, input: unknown) => ({ id: 'c1', name, input });

describe('resolveWorkspacePath', () => {
  it.each([
    { path: 'src/index.ts', relative: 'src/index.ts' },
    { path: './src/../src/new/file.ts', relative: 'src/new/file.ts' },
    { path: '.', relative: '.' },
  ])('accepts $path', ({ path, relative }) => {
    expect(resolveWorkspacePath(root, path).relative).toBe(relative);
  });

  it('accepts an absolute path inside the workspace', () => {
    expect(resolveWorkspacePath(root, join(root, 'src/x.ts'))).toEqual({ absolute: join(root, 'src/x.ts'), relative: 'src/x.ts' });
  });

  it.each([
    { path: '../x.txt', message: 'outside the workspace' },
    { path: '/etc/passwd', message: 'outside the workspace' },
    { path: 'src/../../x', message: 'outside the workspace' },
    { path: '.git/config', message: 'inside .git' },
    { path: 'link-out/x.txt', message: 'symbolic link' },
    { path: '', message: 'non-empty string' },
    { path: 42, message: 'non-empty string' },
  ])('refuses $path', ({ path, message }) => {
    expect(() => resolveWorkspacePath(root, path)).toThrow(message);
  });
});

describe('runFileTool', () => {
  const all = FILE_TOOLS;

  it.each([
    { name: 'read_file', input: { path: 'src/index.ts' }, content: 'export const a = 1;\nexport const b = 2;\n' },
    { name: 'read_file', input: { file_path: 'src/index.ts' }, content: 'export const a = 1;\nexport const b = 2;\n' },
    { name: 'list_files', input: {}, content: 'link-out/\nsrc/' },
    { name: 'list_files', input: { path: 'src' }, content: 'index.ts' },
    { name: 'read_file', input: { path: 'missing.ts' }, content: 'Error: missing.ts does not exist', isError: true },
    { name: 'read_file', input: { path: 'src' }, content: 'Error: src is a folder; use list_files', isError: true },
    { name: 'read_file', input: 'not an object', content: 'Error: the input of read_file must be a JSON object, got "not an object"', isError: true },
    { name: 'write_file', input: { path: 'a.txt' }, content: 'Error: "content" must be a string', isError: true },
    {
      name: 'edit_file',
      input: { path: 'src/index.ts', old_text: 'export', new_text: 'x' },
      content: 'Error: old_text occurs 2 times in src/index.ts; it must occur exactly once',
      isError: true,
    },
    {
      name: 'run_shell',
      input: { command: 'ls' },
      content: 'Error: tool "run_shell" is not available. Available tools: read_file, write_file, edit_file, list_files.',
      isError: true,
    },
  ])('$name $input', ({ name, input, content, isError = false }) => {
    expect(runFileTool(call(name, input), root, all)).toEqual({ content, isError });
  });

  it('writes a file, creating folders, and reports it workspace-relative', () => {
    const outcome = runFileTool(call('write_file', { path: join(root, 'apps/a/new.txt'), content: 'héllo' }), root, all);
    expect(outcome).toEqual({ content: 'Wrote apps/a/new.txt (6 bytes).', isError: false, fileWritten: 'apps/a/new.txt' });
    expect(readFileSync(join(root, 'apps/a/new.txt'), 'utf8')).toBe('héllo');
  });

  it('edits one exact occurrence', () => {
    const outcome = runFileTool(call('edit_file', { path: 'src/index.ts', old_text: 'b = 2', new_text: 'b = $& 3' }), root, all);
    expect(outcome).toEqual({ content: 'Edited src/index.ts.', isError: false, fileWritten: 'src/index.ts' });
    expect(readFileSync(join(root, 'src/index.ts'), 'utf8')).toBe('export const a = 1;\nexport const b = $& 3;\n');
  });

  it('refuses a write through a link out of the workspace, and a tool the profile does not allow', () => {
    expect(runFileTool(call('write_file', { path: 'link-out/x.txt', content: 'x' }), root, all).isError).toBe(true);
    expect(existsSync(join(outside, 'x.txt'))).toBe(false);
    const readOnly = all.filter((tool) => !tool.writes);
    expect(runFileTool(call('write_file', { path: 'a.txt', content: 'x' }), root, readOnly)).toMatchObject({
      isError: true,
      content: expect.stringContaining('Available tools: read_file, list_files'),
    });
    expect(existsSync(join(root, 'a.txt'))).toBe(false);
  });
});

describe('describeToolCall', () => {
  it.each([
    { input: { path: 'a.ts' }, detail: 'a.ts' },
    { input: { file_path: '/w/b.ts' }, detail: '/w/b.ts' },
    { input: {}, detail: undefined },
    { input: 'text', detail: undefined },
  ])('$input -> $detail', ({ input, detail }) => {
    expect(describeToolCall(call('read_file', input))).toBe(detail);
  });
});
