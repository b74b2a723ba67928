import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendUntilAnswered, startCacheUpload } from '../src/testing/cache-upload';
import { startCacheServerProcess, type CacheServerProcess } from './utils/cache-server-process';
import { COMMAND_AGENT_NX_JSON, COMMAND_AGENT_SCRIPT, commandAgentTask, invocationLog } from './utils/command-agent';
import { createTempWorkspace } from './utils/temp-workspace';

const MiB = 1024 ** 2;
const TOKEN = 'limits-suite-token';

/** The server as users run it (the packed bin, its own process), against real HTTP clients, curl and Nx. */
describe('cache server limits', () => {
  const servers: CacheServerProcess[] = [];
  const start = async (args: string[] = [], directory?: string) => {
    const server = await startCacheServerProcess({ args, directory, env: { NX_AGENT_CACHE_TOKEN: TOKEN } });
    servers.push(server);
    return server;
  };
  afterAll(() => Promise.all(servers.map((server) => server.stop('SIGKILL'))));

  describe('an entry over --max-entry-bytes', () => {
    let server: CacheServerProcess;
    beforeAll(async () => (server = await start(['--max-entry-bytes', '1MiB'])));

    it('is refused with 413 as its chunked bytes arrive, and nothing is kept', async () => {
      const result = await sendUntilAnswered(startCacheUpload({ url: server.url, hash: '1001', token: TOKEN }), { totalBytes: MiB + 1 });
      expect(result).toMatchObject({ status: 413, body: `entry too large: this server stores entries up to ${MiB} bytes (--max-entry-bytes)` });
      expect(readdirSync(server.directory)).toEqual([]);
    });

    it('stops being read: a client streaming 256 MiB is answered 413 long before it could send it all', async () => {
      const upload = startCacheUpload({ url: server.url, hash: '1002', token: TOKEN });
      expect(await sendUntilAnswered(upload, { totalBytes: 256 * MiB })).toMatchObject({ status: 413 });
      // What the client got into its socket: the limit plus what the kernel buffers held when the server stopped reading.
      expect(upload.sentBytes()).toBeLessThan(32 * MiB);
      expect(readdirSync(server.directory)).toEqual([]);
    });

    it('is refused by curl before the body is sent, when its length is declared (Expect: 100-continue)', () => {
      const file = join(mkdtempSync(join(tmpdir(), 'cache-limit-')), 'entry.tar.gz');
      writeFileSync(file, Buffer.alloc(2 * MiB, 1));
      const declared = curl(['-T', file, '-H', `authorization: Bearer ${TOKEN}`, `${server.url}/v1/cache/1003`]);
      expect(declared).toEqual({ status: '413', uploaded: '0' });
      const chunked = curl(['-T', file, '-H', 'transfer-encoding: chunked', '-H', `authorization: Bearer ${TOKEN}`, `${server.url}/v1/cache/1004`]);
      expect(chunked.status).toBe('413');
      expect(readdirSync(server.directory)).toEqual([]);
    });

    it('is stored when it is exactly the limit, byte for byte', async () => {
      const result = await sendUntilAnswered(startCacheUpload({ url: server.url, hash: '1005', token: TOKEN }), { totalBytes: MiB, fill: 5 });
      expect(result).toMatchObject({ status: 200 });
      expect(readFileSync(join(server.directory, '1005')).equals(Buffer.alloc(MiB, 5))).toBe(true);
    });
  });

  it('answers 400 to malformed %-escapes and hashes that are not one file name, and keeps serving', async () => {
    const server = await start();
    const paths = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%2e%2e%2f%2e%2e%2fetc', '..%5C..%5Cwin.ini', '%00'];
    for (const hash of paths) {
      expect({ hash, status: await rawStatus(server.url, 'GET', `/v1/cache/${hash}`) }).toEqual({ hash, status: 400 });
      expect({ hash, status: await rawStatus(server.url, 'PUT', `/v1/cache/${hash}`, 'x') }).toEqual({ hash, status: 400 });
    }
    expect(await sendUntilAnswered(startCacheUpload({ url: server.url, hash: '2001', token: TOKEN }), { totalBytes: 10 })).toMatchObject({ status: 200 });
    expect(server.output()).not.toMatch(/ 500 |failed:/);
  });

  describe('interrupted uploads leave no temporary file and no entry', () => {
    it.each([
      { body: 'with a declared length', declared: true },
      { body: 'chunked', declared: false },
    ])('when the client process dies mid-upload ($body), and the hash can be uploaded again', async ({ declared }) => {
      const server = await start();
      const client = spawn(process.execPath, ['-e', DYING_CLIENT, `${server.url}/v1/cache/3001`, TOKEN, String(declared)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await waitFor(() => readdirSync(server.directory).some((name) => name.endsWith('.tmp')));
      client.kill('SIGKILL');
      await waitFor(() => server.requests('PUT').some((line) => line.startsWith('PUT /v1/cache/3001 cut off')));
      expect(readdirSync(server.directory)).toEqual([]);
      expect(await sendUntilAnswered(startCacheUpload({ url: server.url, hash: '3001', token: TOKEN }), { totalBytes: 100 })).toMatchObject({ status: 200 });
      expect(readdirSync(server.directory)).toEqual(['3001']);
    });

    it('when the server is stopped with SIGINT mid-upload: it exits 0', async () => {
      const server = await start();
      const upload = startCacheUpload({ url: server.url, hash: '3002', token: TOKEN });
      await upload.send(Buffer.alloc(MiB));
      await waitFor(() => readdirSync(server.directory).some((name) => name.endsWith('.tmp')));
      expect(await server.stop('SIGINT')).toEqual({ code: 0, signal: null });
      expect(readdirSync(server.directory)).toEqual([]);
      expect(await upload.result).toEqual({ error: expect.any(String) });
    });

    it('when the server is killed outright mid-upload: the next start removes what it left', async () => {
      const server = await start();
      const upload = startCacheUpload({ url: server.url, hash: '3003', token: TOKEN });
      await upload.send(Buffer.alloc(MiB));
      await waitFor(() => readdirSync(server.directory).some((name) => name.endsWith('.tmp')));
      await server.stop('SIGKILL');
      expect(readdirSync(server.directory)).toEqual([expect.stringMatching(/^3003\.\d+\.[0-9a-z]+\.tmp$/)]);
      const restarted = await start([], server.directory);
      expect(restarted.output()).toContain('removed 1 temporary file(s) left by interrupted uploads');
      expect(readdirSync(server.directory)).toEqual([]);
    });
  });

  it('lets exactly one of 8 concurrent PUTs of one hash win; the others get 409 and the entry is the winner, whole', async () => {
    const server = await start();
    const half = 256 * 1024;
    const uploads = Array.from({ length: 8 }, () => startCacheUpload({ url: server.url, hash: '4001', token: TOKEN, contentLength: 2 * half }));
    // Every upload is under way before any finishes, so none is refused for an existing entry up front.
    await Promise.all(uploads.map((upload, index) => upload.send(Buffer.alloc(half, index + 1))));
    await waitFor(() => readdirSync(server.directory).filter((name) => name.endsWith('.tmp')).length === 8);
    await Promise.all([...uploads].reverse().map((upload, index) => upload.send(Buffer.alloc(half, 8 - index))));
    for (const upload of uploads) upload.finish();
    const results = await Promise.all(uploads.map((upload) => upload.result));
    const statuses = results.map((result) => ('status' in result ? result.status : result.error));
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(7);
    const winner = statuses.indexOf(200) + 1;
    expect(readFileSync(join(server.directory, '4001')).equals(Buffer.alloc(2 * half, winner))).toBe(true);
    expect(readdirSync(server.directory)).toEqual(['4001']);
  });

  describe('with the real Nx client', () => {
    const invocations = invocationLog();
    const workspaceFiles = {
      'tools/agent.js': COMMAND_AGENT_SCRIPT,
      'apps/app/project.json': { name: 'app' },
      'apps/app/tasks/design.agent.md': commandAgentTask('design', ['outputs: ["{projectRoot}/out/design.txt"]'], ['WRITE apps/app/out/design.txt']),
      'apps/app/tasks/docs.agent.md': commandAgentTask('docs', ['outputs: ["{projectRoot}/out/docs.txt"]'], ['WRITE apps/app/out/docs.txt']),
    };
    const nxEnvironment = (server: CacheServerProcess) => ({
      NX_SELF_HOSTED_REMOTE_CACHE_SERVER: server.url,
      NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: TOKEN,
      AGENT_INVOCATIONS: invocations.path,
    });

    it('uploads each entry once: the server answers 200, which Nx 24 counts as stored (a 202 made it upload again)', async () => {
      const server = await start();
      const workspace = createTempWorkspace(workspaceFiles, COMMAND_AGENT_NX_JSON);
      const result = await workspace.nx(['run-many', '-t', 'agent'], { env: nxEnvironment(server) });
      expect({ code: result.code, output: result.code === 0 ? '' : result.output }).toEqual({ code: 0, output: '' });
      expect(server.requests('PUT').map((line) => line.replace(/^PUT \/v1\/cache\/\d+ (\d+) .*$/, '$1'))).toEqual(['200', '200']);
      expect(readdirSync(server.directory)).toHaveLength(2);
    });

    it('is refused an entry over the limit before sending it, keeps nothing, and fails the task (Nx 24 treats 413 as an error)', async () => {
      const server = await start(['--max-entry-bytes', '64']);
      const workspace = createTempWorkspace(workspaceFiles, COMMAND_AGENT_NX_JSON);
      const result = await workspace.nx(['run', 'app:agent--design'], { env: nxEnvironment(server) });
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('Unexpected response status: 413 Payload Too Large');
      const puts = server.requests('PUT');
      // Nx retries the upload (six attempts in Nx 24.0.6) before it gives up.
      expect(puts.length).toBeGreaterThan(1);
      expect(puts.every((line) => / 413 /.test(line))).toBe(true);
      expect(readdirSync(server.directory)).toEqual([]);
    });
  });
});

/** A client that declares (or not) a 2 MiB body, sends 1 MiB of it, and then waits to be killed. */
const DYING_CLIENT = `
const http = require('http');
const [url, token, declared] = process.argv.slice(1);
const headers = { authorization: 'Bearer ' + token, ...(declared === 'true' ? { 'content-length': 2 * 1024 * 1024 } : {}) };
const request = http.request(url, { method: 'PUT', headers });
request.on('error', () => {});
request.write(Buffer.alloc(1024 * 1024, 9));
setInterval(() => {}, 1000);
`;

/** curl's view of an upload: the status and how many body bytes it sent. */
function curl(args: string[]): { status: string; uploaded: string } {
  const result = spawnSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_upload}', ...args], { encoding: 'utf8' });
  if (result.error) throw new Error(`curl could not run: ${result.error.message} (apt-get install curl)`);
  const [status, uploaded] = result.stdout.trim().split(' ');
  return { status, uploaded };
}

/** The status for a path sent exactly as written (fetch and URL would normalise it). */
function rawStatus(url: string, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method, path, headers: { authorization: `Bearer ${TOKEN}` } }, (response) => {
      response.resume();
      resolve(response.statusCode!);
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
