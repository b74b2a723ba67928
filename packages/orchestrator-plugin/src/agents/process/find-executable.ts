import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { AgentError } from '../agent-adapter';

/**
 * Finds an agent CLI: on PATH first, then in the workspace's node_modules/.bin (where
 * `npm i -D` puts it). A missing CLI fails at once with the install command in the message.
 */
export function findExecutable(name: string, workspaceRoot: string, env: NodeJS.ProcessEnv, installHint: string): string {
  const folders = [...(env.PATH ?? '').split(delimiter).filter(Boolean), join(workspaceRoot, 'node_modules', '.bin')];
  const extensions = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const folder of folders) {
    for (const extension of extensions) {
      const candidate = join(folder, name + extension);
      try {
        accessSync(candidate, constants.X_OK);
        // Folders pass the X_OK check too; spawning one fails with a confusing EACCES.
        if (statSync(candidate).isFile()) return candidate;
      } catch {
        // Not here.
      }
    }
  }
  throw new AgentError(`${name} not found on PATH or in node_modules/.bin: ${installHint}`, { isRetryable: false });
}
