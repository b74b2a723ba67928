import { createReadStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBearerAccess } from './bearer-access';
import { parseCacheRequestPath } from './cache-request-path';
import { receiveEntry } from './receive-entry';
import { removeAbandonedTemporaryFiles } from './temporary-entry-files';

export interface CacheServerOptions {
  /** Where entries are stored, one file per task hash. */
  directory: string;
  port?: number;
  host?: string;
  /** Bearer token that may read and write. Without any token the cache is open (loopback use only). */
  token?: string;
  /** Bearer token that may only read (for developer machines when CI writes). */
  readToken?: string;
  /** Largest entry accepted, in bytes (default {@link DEFAULT_MAX_ENTRY_BYTES}). */
  maxEntryBytes?: number;
  /** One line per request, and one for leftovers removed at start. */
  log?: (line: string) => void;
}

export interface RunningCacheServer {
  url: string;
  port: number;
  server: Server;
  /** Stops accepting, cuts open connections, and returns once no temporary file of an upload remains. */
  close(): Promise<void>;
}

/**
 * 1 GiB. Nx builds each entry in memory before uploading it and downloads it into memory on
 * every reader, so real entries stay far below this (a task's gzipped outputs; an agent task's
 * are kilobytes). It errs high because Nx 24 fails a task whose upload is refused with 413; it
 * still bounds what one runaway upload (an output glob that caught node_modules, a client
 * streaming forever) costs in disk before it is refused.
 */
export const DEFAULT_MAX_ENTRY_BYTES = 1024 ** 3;

/** How long the rest of a refused body is read and thrown away before a connection still sending it is cut. */
const DISCARD_AFTER_REFUSAL_MS = 2000;

/** Used as the age after which a leftover temporary file is abandoned when the request timeout is off. */
const ONE_DAY_MS = 24 * 60 * 60 * 1000;

/**
 * A remote cache for Nx's self-hosted protocol (`NX_SELF_HOSTED_REMOTE_CACHE_SERVER`):
 * `GET /v1/cache/{hash}` returns the stored tar (200) or 404; `PUT /v1/cache/{hash}` stores it
 * (200), never overwriting an entry (409), never past `maxEntryBytes` (413, counted as bytes
 * arrive, so chunked bodies are held to it too). Bearer tokens: `token` reads and writes,
 * `readToken` only reads (403 on PUT); a missing or wrong token is 401 (text/plain, as Nx
 * expects). Entries are written to a temporary file and published whole, so a reader never sees
 * half of one; temporary files of interrupted uploads are removed on close and at the next start.
 */
export async function startCacheServer(options: CacheServerOptions): Promise<RunningCacheServer> {
  mkdirSync(options.directory, { recursive: true });
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const accessOf = createBearerAccess(options);
  const temporaryFiles = new Set<string>();
  const handling = new Set<Promise<void>>();
  const server = createServer();

  const leftovers = removeAbandonedTemporaryFiles({
    directory: options.directory,
    ownPid: process.pid,
    staleAfterMs: server.requestTimeout > 0 ? server.requestTimeout : ONE_DAY_MS,
  });
  if (leftovers.length > 0) options.log?.(`removed ${leftovers.length} temporary file(s) left by interrupted uploads`);

  const serve = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => {
    const started = Date.now();
    const closed = new Promise<void>((resolve) => response.once('close', () => resolve()));
    const handled = handle(request, response, expectsContinue).catch((error: Error) => {
      options.log?.(`${request.method} ${request.url} failed: ${error.message}`);
      if (!response.headersSent) refuse(request, response, 500, `cache server error: ${error.message}`);
      else response.destroy();
    });
    // Logged once the answer is out and the upload's temporary file is gone, so the log never runs ahead of the folder.
    const done = Promise.all([handled, closed])
      .then(() => options.log?.(`${request.method} ${request.url} ${response.writableFinished ? response.statusCode : 'cut off'} ${Date.now() - started}ms`))
      .finally(() => handling.delete(done));
    handling.add(done);
  };
  server.on('request', (request, response) => serve(request, response, false));
  // With this listener Node leaves "Expect: 100-continue" to us: a refused upload is refused before its body is sent.
  server.on('checkContinue', (request, response) => serve(request, response, true));

  async function handle(request: IncomingMessage, response: ServerResponse, expectsContinue: boolean): Promise<void> {
    const path = parseCacheRequestPath(request.url);
    if (path.kind === 'refused') return refuse(request, response, path.status, path.message);
    const access = accessOf(request.headers.authorization);
    if (access === 'none') return refuse(request, response, 401, 'missing or invalid bearer token');
    const entryPath = join(options.directory, path.hash);
    if (request.method === 'GET') return serveEntry(response, entryPath);
    if (request.method !== 'PUT') return refuse(request, response, 405, 'use GET or PUT');
    if (access !== 'write') return refuse(request, response, 403, 'this token may only read');
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxEntryBytes) return refuse(request, response, 413, tooLarge(maxEntryBytes));
    if (existsSync(entryPath)) return refuse(request, response, 409, 'cannot override an existing entry');
    if (expectsContinue) response.writeContinue();
    const outcome = await receiveEntry({ request, entryPath, maxEntryBytes, temporaryFiles });
    if (outcome === 'stored') return send(response, 200, 'stored');
    if (outcome === 'exists') return send(response, 409, 'cannot override an existing entry');
    if (outcome === 'too-large') return refuse(request, response, 413, tooLarge(maxEntryBytes));
    // 'aborted': the client is gone; there is no one to answer.
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
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Cutting the connections ends every upload as 'aborted', which removes its temporary file.
      server.closeAllConnections();
      await Promise.allSettled([...handling]);
      await closed;
      for (const temporary of temporaryFiles) rmSync(temporary, { force: true });
    },
  };
}

async function serveEntry(response: ServerResponse, entryPath: string): Promise<void> {
  let size: number;
  try {
    size = statSync(entryPath).size;
  } catch {
    return send(response, 404, 'not found');
  }
  response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
  await pipeline(createReadStream(entryPath), response);
}

function tooLarge(maxEntryBytes: number): string {
  return `entry too large: this server stores entries up to ${maxEntryBytes} bytes (--max-entry-bytes)`;
}

/**
 * Answers a request whose body has not been read (or not all of it), and stops reading it. The
 * rest of the body is discarded, never stored, for at most {@link DISCARD_AFTER_REFUSAL_MS}, so
 * the client reads the answer and stops sending; then a connection still sending is cut.
 * Cutting it at once would reset it with the client's bytes unread, and a client can lose the
 * answer to that reset (Node's http client then reports EPIPE instead of the 413).
 */
function refuse(request: IncomingMessage, response: ServerResponse, status: number, message: string): void {
  send(response, status, message);
  const mayStillSendBody = request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;
  if (request.complete || !mayStillSendBody) return;
  response.once('finish', () => {
    const socket = request.socket;
    const stopWaiting = () => {
      clearTimeout(cut);
      socket.off('close', stopWaiting);
    };
    const cut = setTimeout(() => {
      stopWaiting();
      if (!request.complete) socket.destroy();
    }, DISCARD_AFTER_REFUSAL_MS);
    cut.unref();
    socket.once('close', stopWaiting);
    request.once('end', stopWaiting);
    request.resume();
  });
}

function send(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { 'content-type': 'text/plain' });
  response.end(message);
}
