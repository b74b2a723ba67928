#!/usr/bin/env node
import { CACHE_SERVER_HELP, parseCacheServerArguments } from './cache-server-arguments';
import { startCacheServer } from './cache-server';

async function main(): Promise<void> {
  const parsed = parseCacheServerArguments({ argv: process.argv.slice(2), env: process.env });
  if (parsed.kind === 'help') {
    process.stdout.write(`${CACHE_SERVER_HELP}\n`);
    return;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(`nx-agent-cache-server: ${parsed.message}\nRun nx-agent-cache-server --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  const { options } = parsed;
  const server = await startCacheServer({ ...options, log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`) });
  const open = options.token || options.readToken ? '' : ' (no token: open to anyone who can reach it)';
  process.stdout.write(
    `nx-agent-cache-server listening on ${server.url}, storing in ${options.directory}, entries up to ${options.maxEntryBytes} bytes${open}\n`,
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      // A second signal while closing falls through to Node's default and ends the process; the next start removes what is left.
      void server.close().then(() => process.exit(0));
    });
}

main().catch((error: Error) => {
  process.stderr.write(`nx-agent-cache-server: ${error.message}\n`);
  process.exit(1);
});
