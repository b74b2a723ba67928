import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendUntilAnswered, startCacheUpload } from '../testing/cache-upload';
import { startCacheServer, type RunningCacheServer } from './cache-server';

const entry = Buffer.from([0x1f, 0x8b, 1, 2, 3, 255, 0, 7]);
const LIMIT = 64 * 1024;

describe('the self-hosted Nx remote cache server', () => {
  let server: RunningCacheServer;
  let directory: string;
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cache-server-'));
    server = await startCacheServer({ directory, token: 'write-secret', readToken: 'read-secret', maxEntryBytes: LIMIT });
  });
  afterEach(() => server.close());

  const request = (method: string, hash: string, token?: string, body?: Buffer) =>
    fetch(`${server.url}/v1/cache/${hash}`, {
      method,
      body,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/octet-stream' } : {}) },
    });

  it('stores an entry once, answering 200 as Nx 24 expects, and serves the same bytes', async () => {
    expect((await request('GET', '12345', 'write-secret')).status).toBe(404);
    expect((await request('PUT', '12345', 'write-secret', entry)).status).toBe(200);
    const hit = await request('GET', '12345', 'read-secret');
    expect(hit.status).toBe(200);
    expect(hit.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await hit.arrayBuffer())).toEqual(entry);
    const again = await request('PUT', '12345', 'write-secret', Buffer.from('other'));
    expect(again.status).toBe(409);
    expect(Buffer.from(await (await request('GET', '12345', 'read-secret')).arrayBuffer())).toEqual(entry);
    expect(readdirSync(directory)).toEqual(['12345']);
  });

  it.each([
    { name: 'no token', method: 'GET', token: undefined, status: 401 },
    { name: 'a wrong token', method: 'GET', token: 'guess', status: 401 },
    { name: 'a token that is the right one with more after it', method: 'GET', token: 'read-secret-and-more', status: 401 },
    { name: 'a read token writing', method: 'PUT', token: 'read-secret', status: 403 },
  ])('answers $status to $name, in text/plain', async ({ method, token, status }) => {
    const response = await request(method, '777', token, method === 'PUT' ? entry : undefined);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(readdirSync(directory)).toEqual([]);
  });

  it('compares tokens in constant time: equal-length digests through timingSafeEqual, never ===', async () => {
    // The module object itself (an `import *` namespace cannot be spied on), which the server's compiled code calls through.
    const compare = jest.spyOn(require('node:crypto') as typeof import('node:crypto'), 'timingSafeEqual');
    try {
      for (const token of ['write-secret', 'read-secret', 'w', 'a much longer guess than either token'])
        expect([200, 401, 404]).toContain((await request('GET', '1', token)).status);
      const lengths = compare.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]);
      // Both tokens are compared for each of the four requests, whatever the guess's length.
      expect(lengths).toEqual(Array(8).fill([32, 32]));
    } finally {
      compare.mockRestore();
    }
  });

  it.each(['%', '%E0%A4%A', '%zz', '%C0%AF', '12%2F34', '..%2F..%2Fetc', '%00'])('answers 400, not 500, to the hash %s on GET and PUT', async (hash) => {
    expect((await request('GET', hash, 'write-secret')).status).toBe(400);
    expect((await request('PUT', hash, 'write-secret', entry)).status).toBe(400);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('answers 404 to paths outside /v1/cache/{hash}', async () => {
    expect((await fetch(`${server.url}/v2/other`)).status).toBe(404);
    expect((await fetch(`${server.url}/v1/cache/1/2`)).status).toBe(404);
  });

  it('holds a chunked body to the limit as it arrives: one byte over is 413 and nothing is kept', async () => {
    const result = await sendUntilAnswered(startCacheUpload({ url: server.url, hash: '42', token: 'write-secret' }), {
      totalBytes: LIMIT + 1,
      chunkBytes: 1000,
    });
    expect(result).toMatchObject({ status: 413, body: expect.stringContaining(`up to ${LIMIT} bytes`) });
    expect(readdirSync(directory)).toEqual([]);
  });

  it('stores a chunked body of exactly the limit', async () => {
    const result = await sendUntilAnswered(startCacheUpload({ url: server.url, hash: '43', token: 'write-secret' }), { totalBytes: LIMIT, fill: 7 });
    expect(result).toMatchObject({ status: 200 });
    expect(readFileSync(join(directory, '43'))).toEqual(Buffer.alloc(LIMIT, 7));
  });

  it('refuses a declared length over the limit before reading the body', async () => {
    const upload = startCacheUpload({ url: server.url, hash: '44', token: 'write-secret', contentLength: LIMIT + 1 });
    expect(await upload.result).toMatchObject({ status: 413 });
    expect(upload.sentBytes()).toBe(0);
    expect(readdirSync(directory)).toEqual([]);
  });

  it('removes the temporary file of an upload still under way when it closes', async () => {
    const upload = startCacheUpload({ url: server.url, hash: '45', token: 'write-secret' });
    await upload.send(Buffer.alloc(1000));
    await waitFor(() => readdirSync(directory).some((name) => name.endsWith('.tmp')));
    await server.close();
    expect(readdirSync(directory)).toEqual([]);
    expect(await upload.result).toEqual({ error: expect.any(String) });
  });
});

describe('leftovers of interrupted uploads', () => {
  it('are removed at start when their writer is gone, and a live writer keeps its file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'cache-server-'));
    const deadPid = 2 ** 22 + 1; // above Linux's pid_max, so no process has it
    writeFileSync(join(directory, `123.${deadPid}.0a1b2c.tmp`), 'half an entry');
    writeFileSync(join(directory, `456.${process.ppid}.3d4e5f.tmp`), 'another server is writing this');
    writeFileSync(join(directory, '789'), 'a whole entry');
    const lines: string[] = [];
    const server = await startCacheServer({ directory, log: (line) => lines.push(line) });
    await server.close();
    expect(readdirSync(directory).sort()).toEqual([`456.${process.ppid}.3d4e5f.tmp`, '789']);
    expect(lines).toContain('removed 1 temporary file(s) left by interrupted uploads');
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; !condition(); attempt++) {
    if (attempt > 500) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
