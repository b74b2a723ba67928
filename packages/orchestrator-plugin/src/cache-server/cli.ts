#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startCacheServer } from './cache-server';

const HELP = `nx-agent-cache-server: a self-hosted Nx remote cache (NX_SELF_HOSTED_REMOTE_CACHE_SERVER)

Usage: nx-agent-cache-server [--port 3030] [--host 127.0.0.1] [--dir .nx-remote-cache]

Tokens come from the environment, never from the command line:
  NX_AGENT_CACHE_TOKEN       may read and write (give it to CI)
  NX_AGENT_CACHE_READ_TOKEN  may only read (give it to developer machines)
Without either, anyone who can reach the port may read and write: keep it on 127.0.0.1.

Clients: NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://host:port
         NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<one of the tokens>`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '3030' },
      host: { type: 'string', default: '127.0.0.1' },
      dir: { type: 'string', default: '.nx-remote-cache' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const token = process.env.NX_AGENT_CACHE_TOKEN || undefined;
  const readToken = process.env.NX_AGENT_CACHE_READ_TOKEN || undefined;
  const server = await startCacheServer({
    directory: values.dir!,
    port: Number(values.port),
    host: values.host,
    token,
    readToken,
    log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
  });
  process.stdout.write(
    `nx-agent-cache-server listening on ${server.url}, storing in ${values.dir}${token || readToken ? '' : ' (no token: open to anyone who can reach it)'}\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void server.close().then(() => process.exit(0)));
}

main().catch((error: Error) => {
  process.stderr.write(`nx-agent-cache-server: ${error.message}\n`);
  process.exit(1);
});
