import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { nxEnvironment, type TempWorkspace } from './temp-workspace';

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

/** A command agent that starts a grandchild (sleep), records both pids in `agent-pids.txt`, and waits: for interrupt tests. */
export const SLEEPING_AGENT = ['sh', '-c', 'sleep 300 & echo $! >> agent-pids.txt; echo $$ >> agent-pids.txt; wait'];

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `value` until `done` says so or `timeoutMs` passes; returns the last value, for the test to assert on. */
export async function eventually<T>(value: () => T, done: (current: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let current = value();
  while (!done(current) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    current = value();
  }
  return current;
}

/**
 * `nx <args>` started in the background in `workspace` (to be signalled mid-run), with the pids
 * the sleeping agents recorded so far and a promise of its exit code.
 */
export function startNxInBackground(workspace: TempWorkspace, args: string[]): { nx: ChildProcess; agentPids: () => number[]; exited: Promise<number | null> } {
  const nx = spawn(process.execPath, [join(workspace.root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
    cwd: workspace.root,
    env: nxEnvironment(workspace.root),
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => nx.on('exit', (code) => resolve(code)));
  const pidFile = join(workspace.root, 'agent-pids.txt');
  const agentPids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : []);
  return { nx, agentPids, exited };
}
