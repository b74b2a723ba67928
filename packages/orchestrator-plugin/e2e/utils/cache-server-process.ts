import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `nx-agent-cache-server` as the packed plugin ships it, running in its own process. */
export interface CacheServerProcess {
  url: string;
  directory: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout, then stderr). */
  output(): string;
  /** Its request log lines for `method` (`PUT /v1/cache/1 200 3ms`, without the timestamp). */
  requests(method: string): string[];
  /** How it ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` (SIGTERM unless given) and waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The server script inside the packed plugin that the e2e global setup installed. */
export function cacheServerScript(): string {
  if (!process.env.E2E_PLUGIN_MODULES) throw new Error('E2E_PLUGIN_MODULES is not set: run the e2e tests through e2e/jest.config.js');
  return join(process.env.E2E_PLUGIN_MODULES, 'nx-agent-orchestrator', 'dist', 'cache-server', 'cli.js');
}

/**
 * Starts the server on a free port of 127.0.0.1 with `args` (a fresh store folder unless
 * `directory` is given) and resolves once it says where it listens.
 */
export async function startCacheServerProcess({
  args = [],
  directory = mkdtempSync(join(tmpdir(), 'nx-agent-cache-store-')),
  env = {},
}: { args?: string[]; directory?: string; env?: Record<string, string> } = {}): Promise<CacheServerProcess> {
  const child = spawn(process.execPath, [cacheServerScript(), '--port', '0', '--dir', directory, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const listening = () => {
      const match = /listening on (http:\/\/\S+),/.exec(stdout);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', listening);
    void exited.then(({ code }) => reject(new Error(`cache server exited with ${code} before listening:\n${stdout}${stderr}`)));
  });
  return {
    url,
    directory,
    child,
    output: () => stdout + stderr,
    requests: (method) =>
      stdout
        .split('\n')
        .map((line) => line.replace(/^\S+ /, ''))
        .filter((line) => line.startsWith(`${method} `)),
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
