import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCacheServer, type RunningCacheServer } from './cache-server';

const entry = Buffer.from([0x1f, 0x8b, 1, 2, 3, 255, 0, 7]);

describe('the self-hosted Nx remote cache server', () => {
  let server: RunningCacheServer;
  let directory: string;
  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'cache-server-'));
    server = await startCacheServer({ directory, token: 'write-secret', readToken: 'read-secret' });
  });
  afterEach(() => server.close());

  const request = (method: string, hash: string, token?: string, body?: Buffer) =>
    fetch(`${server.url}/v1/cache/${hash}`, {
      method,
      body,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/octet-stream' } : {}) },
    });

  it('stores an entry once and serves the same bytes', async () => {
    expect((await request('GET', '12345', 'write-secret')).status).toBe(404);
    expect((await request('PUT', '12345', 'write-secret', entry)).status).toBe(202);
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
    { name: 'a read token writing', method: 'PUT', token: 'read-secret', status: 403 },
  ])('answers $status to $name, in text/plain', async ({ method, token, status }) => {
    const response = await request(method, '777', token, method === 'PUT' ? entry : undefined);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/plain');
    expect(readdirSync(directory)).toEqual([]);
  });

  it('refuses hashes that could escape its folder, and unknown paths', async () => {
    expect((await fetch(`${server.url}/v1/cache/..%2F..%2Fetc`, { headers: { authorization: 'Bearer write-secret' } })).status).toBe(400);
    expect((await fetch(`${server.url}/v2/other`)).status).toBe(404);
  });
});
