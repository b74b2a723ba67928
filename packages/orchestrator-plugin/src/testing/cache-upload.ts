import { request as httpRequest, type ClientRequest } from 'node:http';

/** How an upload ended for the client: the server's answer, or the connection error. */
export type CacheUploadResult = { status: number; body: string; headers: Record<string, string | string[] | undefined> } | { error: string };

/** A PUT to a cache server whose body the test sends piece by piece, as a slow or hostile client would. */
export interface CacheUpload {
  /** Sends `bytes` and resolves once the connection took them (at once if the server already answered or the connection is gone). */
  send(bytes: Buffer): Promise<void>;
  /** Ends the body. */
  finish(): void;
  /** Cuts the connection mid-body, as a client that dies would. */
  abort(): void;
  /** The server's answer, which may come before the body ends. */
  result: Promise<CacheUploadResult>;
  /** Bytes handed to the connection so far. */
  sentBytes(): number;
  /** Whether the server has answered (or the connection failed). */
  answered(): boolean;
}

export interface CacheUploadRequest {
  /** The server's base URL (`http://127.0.0.1:PORT`). */
  url: string;
  /** The raw path segment after `/v1/cache/`, sent as written. */
  hash: string;
  token?: string;
  /** Declares the length; without it the body is sent chunked, with no length known in advance. */
  contentLength?: number;
}

/** Starts a PUT of an entry. The body goes out only as the test sends it. */
export function startCacheUpload({ url, hash, token, contentLength }: CacheUploadRequest): CacheUpload {
  let sent = 0;
  let settled = false;
  let client!: ClientRequest;
  const result = new Promise<CacheUploadResult>((resolve) => {
    client = httpRequest(`${url}/v1/cache/${hash}`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/octet-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(contentLength === undefined ? {} : { 'content-length': contentLength }),
      },
    });
    client.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        settled = true;
        resolve({ status: response.statusCode!, body, headers: response.headers });
      });
    });
    client.on('error', (error: NodeJS.ErrnoException) => {
      // An early answer may be followed by EPIPE or ECONNRESET while the rest of the body is refused: the answer counts.
      if (settled) return;
      settled = true;
      resolve({ error: error.code ?? error.message });
    });
    client.flushHeaders();
  });
  return {
    send: (bytes) =>
      new Promise<void>((resolve) => {
        if (settled || client.destroyed) return resolve();
        sent += bytes.length;
        if (client.write(bytes)) resolve();
        else {
          const done = () => {
            client.off('drain', done).off('close', done);
            resolve();
          };
          client.on('drain', done).on('close', done);
          void result.then(done);
        }
      }),
    finish: () => {
      if (!client.destroyed) client.end();
    },
    abort: () => client.destroy(),
    result,
    sentBytes: () => sent,
    answered: () => settled,
  };
}

/**
 * Sends `totalBytes` in chunks of `chunkBytes` (each chunk filled with `fill`), stopping early
 * once the server answers, then ends the body. Returns the answer.
 */
export async function sendUntilAnswered(
  upload: CacheUpload,
  { totalBytes, chunkBytes = 64 * 1024, fill = 0 }: { totalBytes: number; chunkBytes?: number; fill?: number },
): Promise<CacheUploadResult> {
  const chunk = Buffer.alloc(chunkBytes, fill);
  let remaining = totalBytes;
  while (remaining > 0 && !upload.answered()) {
    const size = Math.min(remaining, chunkBytes);
    await upload.send(size === chunkBytes ? chunk : chunk.subarray(0, size));
    remaining -= size;
  }
  upload.finish();
  return upload.result;
}
