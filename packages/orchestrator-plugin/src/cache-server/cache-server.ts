import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

export interface CacheServerOptions {
  /** Where entries are stored, one file per task hash. */
  directory: string;
  port?: number;
  host?: string;
  /** Bearer token that may read and write. Without any token the cache is open (loopback use only). */
  token?: string;
  /** Bearer token that may only read (for developer machines when CI writes). */
  readToken?: string;
  /** Largest entry accepted, in bytes. */
  maxEntryBytes?: number;
  /** One line per request, for a log. */
  log?: (line: string) => void;
}

export interface RunningCacheServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const HASH = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * A remote cache for Nx's self-hosted protocol (`NX_SELF_HOSTED_REMOTE_CACHE_SERVER`):
 * `GET /v1/cache/{hash}` returns the stored tar (200) or 404; `PUT /v1/cache/{hash}` stores it
 * (202), never overwriting an entry (409). Bearer tokens: `token` reads and writes, `readToken`
 * only reads (403 on PUT); a missing or wrong token is 401 (text/plain, as Nx expects).
 * Entries are written to a temporary file and renamed, so a reader never sees half of one.
 */
export async function startCacheServer(options: CacheServerOptions): Promise<RunningCacheServer> {
  mkdirSync(options.directory, { recursive: true });
  const maxEntryBytes = options.maxEntryBytes ?? 2 * 1024 ** 3;
  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      if (!response.headersSent) send(response, 500, `cache server error: ${error.message}`);
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = Date.now();
    response.on('finish', () => options.log?.(`${request.method} ${request.url} ${response.statusCode} ${Date.now() - started}ms`));
    const match = /^\/v1\/cache\/([^/?]+)$/.exec((request.url ?? '').split('?')[0]);
    if (!match) return send(response, 404, 'not found: the cache lives under /v1/cache/{hash}');
    const hash = decodeURIComponent(match[1]);
    if (!HASH.test(hash)) return send(response, 400, 'invalid hash');
    const access = accessOf(request.headers.authorization);
    if (access === 'none') return send(response, 401, 'missing or invalid bearer token');
    const path = join(options.directory, hash);
    if (request.method === 'GET') {
      let size: number;
      try {
        size = statSync(path).size;
      } catch {
        return send(response, 404, 'not found');
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      await pipeline(createReadStream(path), response);
      return;
    }
    if (request.method === 'PUT') {
      if (access !== 'write') return send(response, 403, 'this token may only read');
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > maxEntryBytes) return send(response, 413, 'entry too large');
      if (exists(path)) {
        request.resume();
        return send(response, 409, 'cannot override an existing entry');
      }
      const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      try {
        await pipeline(request, createWriteStream(temporary));
        if (exists(path)) throw Object.assign(new Error('exists'), { conflict: true });
        renameSync(temporary, path);
      } catch (error) {
        rmSync(temporary, { force: true });
        if ((error as { conflict?: boolean }).conflict) return send(response, 409, 'cannot override an existing entry');
        throw error;
      }
      return send(response, 202, 'stored');
    }
    send(response, 405, 'use GET or PUT');
  }

  function accessOf(header: string | undefined): 'write' | 'read' | 'none' {
    if (!options.token && !options.readToken) return 'write';
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (token && token === options.token) return 'write';
    if (token && token === options.readToken) return 'read';
    return 'none';
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as { port: number; address: string };
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    server,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function send(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(message);
}
