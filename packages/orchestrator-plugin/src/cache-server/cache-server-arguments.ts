import { parseArgs } from 'node:util';
import { DEFAULT_MAX_ENTRY_BYTES, type CacheServerOptions } from './cache-server';

/** What the command line asks for: help, a server with these options, or nothing (with the reason). */
export type CacheServerArguments = { kind: 'help' } | { kind: 'serve'; options: CacheServerOptions } | { kind: 'invalid'; message: string };

export interface CacheServerArgumentsRequest {
  /** The arguments after the script name. */
  argv: string[];
  /** Where the tokens come from (never the command line, which other users can read in `ps`). */
  env: Record<string, string | undefined>;
}

const OPTIONS = {
  port: { type: 'string', default: '3030' },
  host: { type: 'string', default: '127.0.0.1' },
  dir: { type: 'string', default: '.nx-remote-cache' },
  'max-entry-bytes': { type: 'string', default: String(DEFAULT_MAX_ENTRY_BYTES) },
  help: { type: 'boolean', default: false },
} as const;

const UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** `--help` text: usage, every option with its default, and where tokens come from. */
export const CACHE_SERVER_HELP = `nx-agent-cache-server: a self-hosted Nx remote cache (NX_SELF_HOSTED_REMOTE_CACHE_SERVER)

Usage: nx-agent-cache-server [--port 3030] [--host 127.0.0.1] [--dir .nx-remote-cache] [--max-entry-bytes 1GiB]

  --port             port to listen on (0: any free port)
  --host             address to listen on (0.0.0.0 for every interface)
  --dir              folder the entries are stored in, one file per task hash
  --max-entry-bytes  largest entry accepted, in bytes or with KiB, MiB, GiB (default 1GiB);
                     a larger upload, chunked or not, is refused with 413 and nothing is kept

Tokens come from the environment, never from the command line:
  NX_AGENT_CACHE_TOKEN       may read and write (give it to CI)
  NX_AGENT_CACHE_READ_TOKEN  may only read (give it to developer machines)
Without either, anyone who can reach the port may read and write: keep it on 127.0.0.1.

Clients: NX_SELF_HOSTED_REMOTE_CACHE_SERVER=http://host:port
         NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN=<one of the tokens>`;

/**
 * Reads the command line and environment of `nx-agent-cache-server`. Every mistake is
 * reported with the option and what it takes; nothing here throws.
 */
export function parseCacheServerArguments({ argv, env }: CacheServerArgumentsRequest): CacheServerArguments {
  let values: { [name in keyof typeof OPTIONS]?: string | boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    return {
      kind: 'invalid',
      message: `${(error as Error).message.split('. ')[0]}. The options are ${Object.keys(OPTIONS)
        .map((name) => `--${name}`)
        .join(', ')}.`,
    };
  }
  if (values.help) return { kind: 'help' };
  const port = Number(values.port);
  if (!/^\d+$/.test(String(values.port)) || port > 65535)
    return { kind: 'invalid', message: `--port takes a port number from 0 to 65535, not "${values.port}".` };
  const maxEntryBytes = parseByteSize(String(values['max-entry-bytes']));
  if (maxEntryBytes === undefined)
    return {
      kind: 'invalid',
      message: `--max-entry-bytes takes a whole number of bytes of at least 1, optionally with KiB, MiB or GiB (1073741824, 512MiB), not "${values['max-entry-bytes']}".`,
    };
  return {
    kind: 'serve',
    options: {
      directory: String(values.dir),
      port,
      host: String(values.host),
      maxEntryBytes,
      token: env.NX_AGENT_CACHE_TOKEN || undefined,
      readToken: env.NX_AGENT_CACHE_READ_TOKEN || undefined,
    },
  };
}

/** `1073741824`, `512MiB`, `1 GiB` as bytes; undefined for anything else, zero, or beyond exact integers. */
function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match && UNITS[match[2].toLowerCase()];
  if (!match || !unit) return undefined;
  const bytes = Number(match[1]) * unit;
  return bytes >= 1 && Number.isSafeInteger(bytes) ? bytes : undefined;
}
