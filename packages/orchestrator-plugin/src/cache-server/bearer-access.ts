import { createHash, timingSafeEqual } from 'node:crypto';

/** What a request may do: read and write, only read, or nothing. */
export type CacheAccess = 'write' | 'read' | 'none';

export interface BearerAccessOptions {
  /** Bearer token that may read and write. */
  token?: string;
  /** Bearer token that may only read. */
  readToken?: string;
}

/**
 * Decides what an `Authorization` header allows. Without any token the cache is open
 * ('write' for everyone). Tokens are compared as SHA-256 digests with `timingSafeEqual`: the
 * digests always have the same length, so the time a comparison takes tells an attacker neither
 * how much of a guess was right nor how long the token is (a plain `===` stops at the first
 * differing character, and `timingSafeEqual` on the raw strings would throw on a length
 * mismatch, which leaks the length). Both tokens are compared on every request.
 */
export function createBearerAccess(options: BearerAccessOptions): (authorization: string | undefined) => CacheAccess {
  const writeDigest = options.token ? digestOf(options.token) : undefined;
  const readDigest = options.readToken ? digestOf(options.readToken) : undefined;
  if (!writeDigest && !readDigest) return () => 'write';
  return (authorization) => {
    // The scheme is case-insensitive (RFC 9110 section 11.1); Nx sends "Bearer <token>".
    const presented = /^bearer (.+)$/i.exec(authorization ?? '')?.[1];
    if (presented === undefined) return 'none';
    const presentedDigest = digestOf(presented);
    const writes = writeDigest !== undefined && timingSafeEqual(presentedDigest, writeDigest);
    const reads = readDigest !== undefined && timingSafeEqual(presentedDigest, readDigest);
    if (writes) return 'write';
    return reads ? 'read' : 'none';
  };
}

function digestOf(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
