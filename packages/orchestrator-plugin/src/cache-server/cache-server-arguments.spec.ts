import { parseCacheServerArguments } from './cache-server-arguments';

const parse = (argv: string[], env: Record<string, string> = {}) => parseCacheServerArguments({ argv, env });

describe('the cache server command line', () => {
  it('defaults to 127.0.0.1:3030, .nx-remote-cache, entries up to 1 GiB, and no token', () => {
    expect(parse([])).toEqual({
      kind: 'serve',
      options: { directory: '.nx-remote-cache', port: 3030, host: '127.0.0.1', maxEntryBytes: 1024 ** 3, token: undefined, readToken: undefined },
    });
  });

  it('takes the tokens from the environment only, an empty one counting as none', () => {
    expect(parse([], { NX_AGENT_CACHE_TOKEN: 'w', NX_AGENT_CACHE_READ_TOKEN: '' })).toMatchObject({ options: { token: 'w', readToken: undefined } });
  });

  it.each([
    ['1', 1],
    ['1048576', 1024 ** 2],
    ['512MiB', 512 * 1024 ** 2],
    ['512 mib', 512 * 1024 ** 2],
    ['2GiB', 2 * 1024 ** 3],
    ['64KiB', 64 * 1024],
    ['100B', 100],
  ])('reads --max-entry-bytes %s as %d bytes', (value, bytes) => {
    expect(parse(['--max-entry-bytes', value])).toMatchObject({ options: { maxEntryBytes: bytes } });
    expect(parse([`--max-entry-bytes=${value}`])).toMatchObject({ options: { maxEntryBytes: bytes } });
  });

  it.each(['0', '-1', '1.5', '1e9', '10MB', '1 G', 'lots', '', '99999999999TiB'])('refuses --max-entry-bytes %p, saying what it takes', (value) => {
    expect(parse([`--max-entry-bytes=${value}`])).toEqual({
      kind: 'invalid',
      message: expect.stringMatching(/^--max-entry-bytes takes a whole number of bytes of at least 1, optionally with KiB, MiB or GiB .* not ".*"\.$/),
    });
  });

  it.each(['-1', '65536', 'http', '3030.5'])('refuses --port %p', (value) => {
    expect(parse([`--port=${value}`])).toEqual({ kind: 'invalid', message: `--port takes a port number from 0 to 65535, not "${value}".` });
  });

  it('names an unknown option and lists the ones there are', () => {
    expect(parse(['--max-entry-size', '1'])).toEqual({
      kind: 'invalid',
      message: "Unknown option '--max-entry-size'. The options are --port, --host, --dir, --max-entry-bytes, --help.",
    });
    expect(parse(['stray'])).toMatchObject({ kind: 'invalid', message: expect.stringContaining('The options are --port') });
  });

  it('answers --help before anything else', () => {
    expect(parse(['--help', '--port', 'nonsense'])).toEqual({ kind: 'help' });
  });
});
