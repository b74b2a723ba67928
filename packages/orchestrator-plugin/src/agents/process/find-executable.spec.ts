import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { AgentError } from '../agent-adapter';
import { findExecutable } from './find-executable';

const HINT = 'npm i -D @anthropic-ai/claude-code';

let root: string;
beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'find-executable-'))));
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Lays out `folder/name` entries: 'exe' (executable file), 'file' (not executable), 'dir' (a folder). */
function layout(entries: Record<string, 'exe' | 'file' | 'dir'>) {
  for (const [path, kind] of Object.entries(entries)) {
    const absolute = join(root, path);
    mkdirSync(join(absolute, '..'), { recursive: true });
    if (kind === 'dir') mkdirSync(absolute);
    else {
      writeFileSync(absolute, '#!/bin/sh\n');
      chmodSync(absolute, kind === 'exe' ? 0o755 : 0o644);
    }
  }
}

const workspace = 'workspace';
const bin = `${workspace}/node_modules/.bin`;

describe('findExecutable', () => {
  it.each<[string, Record<string, 'exe' | 'file' | 'dir'>, string[], string]>([
    ['on PATH', { 'a/claude': 'exe' }, ['a'], 'a/claude'],
    ['the first PATH folder that has it', { 'a/claude': 'exe', 'b/claude': 'exe' }, ['a', 'b'], 'a/claude'],
    ['PATH before node_modules/.bin', { 'a/claude': 'exe', [`${bin}/claude`]: 'exe' }, ['a'], 'a/claude'],
    ['node_modules/.bin when PATH lacks it', { 'a/other': 'exe', [`${bin}/claude`]: 'exe' }, ['a'], `${bin}/claude`],
    ['node_modules/.bin with no PATH at all', { [`${bin}/claude`]: 'exe' }, [], `${bin}/claude`],
    ['a file that is not executable is skipped', { 'a/claude': 'file', 'b/claude': 'exe' }, ['a', 'b'], 'b/claude'],
    ['a folder of that name is skipped', { 'a/claude': 'dir', 'b/claude': 'exe' }, ['a', 'b'], 'b/claude'],
  ])('%s', (_name, entries, pathFolders, expected) => {
    layout(entries);
    const env = pathFolders.length ? { PATH: pathFolders.map((folder) => join(root, folder)).join(delimiter) } : {};
    expect(findExecutable('claude', join(root, workspace), env, HINT)).toBe(join(root, expected));
  });

  it.each<[string, Record<string, 'exe' | 'file' | 'dir'>]>([
    ['nowhere', {}],
    ['only a non-executable file', { 'a/claude': 'file' }],
    ['only a folder of that name', { 'a/claude': 'dir', [`${bin}/claude`]: 'dir' }],
  ])('%s: a non-retryable error with the install hint', (_name, entries) => {
    layout(entries);
    const attempt = () => findExecutable('claude', join(root, workspace), { PATH: `${join(root, 'a')}${delimiter}${delimiter}` }, HINT);
    expect(attempt).toThrow(AgentError);
    expect(attempt).toThrow(`claude not found on PATH or in node_modules/.bin: ${HINT}`);
    try {
      attempt();
    } catch (error) {
      expect((error as AgentError).isRetryable).toBe(false);
    }
  });
});
