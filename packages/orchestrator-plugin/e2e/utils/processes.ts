import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';

/**
 * Processes a test started in the temp workspace `root`: any whose argv names `root` or one of
 * `alsoNaming` (for a client whose native binary lives outside the workspace, such as codex,
 * which names the model server URL instead), or whose cwd is `root`. One `ps` line each.
 */
export function processesIn(root: string, alsoNaming: string[] = []): string[] {
  const names = [root, ...alsoNaming];
  const byArguments = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((line) => names.some((name) => line.includes(name)) && !line.includes('ps -eo'));
  const byFolder = existsSync('/proc')
    ? readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            return readlinkSync(`/proc/${pid}/cwd`) === root;
          } catch {
            // The process ended, or is not ours to read.
            return false;
          }
        })
        .map((pid) => `${pid} (cwd ${root})`)
    : [];
  return [...byArguments, ...byFolder];
}
