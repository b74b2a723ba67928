import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TempWorkspace } from './temp-workspace';

/** The plugin's self-hosted remote cache, started from the packed plugin of `workspace`. */
export interface RunningCacheServer {
  url: string;
  /** Where it stores entries. */
  store: string;
  /** The environment that points nx at it. */
  env: Record<string, string>;
  stop(): void;
}

/** Starts the cache server on a free port with `token`, resolving once it listens. */
export async function startCacheServer(workspace: TempWorkspace, token: string): Promise<RunningCacheServer> {
  const store = mkdtempSync(join(tmpdir(), 'nx-agent-cache-store-'));
  const server: ChildProcess = spawn(
    process.execPath,
    [join(workspace.root, 'node_modules/nx-agent-orchestrator/dist/cache-server/cli.js'), '--port', '0', '--dir', store],
    { env: { ...process.env, NX_AGENT_CACHE_TOKEN: token }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening on (http:\/\/\S+),/.exec(chunk.toString());
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`cache server exited with ${code}`)));
  });
  return {
    url,
    store,
    env: { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: url, NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: token },
    stop: () => void server.kill(),
  };
}

/** Every file below `folder`, recursively (none when it does not exist). */
export function filesBelow(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? filesBelow(path) : [path];
  });
}

/** The stored entries of a cache server, each gunzipped when it is gzip (Nx uploads gzip tars). */
export function storedEntries(store: string): Array<{ name: string; content: Buffer }> {
  return readdirSync(store).map((name) => {
    const bytes = readFileSync(join(store, name));
    return { name, content: bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes };
  });
}
