/** What a request path asks for: one cache entry, or a refusal with its status and reason. */
export type CacheRequestPath = { kind: 'entry'; hash: string } | { kind: 'refused'; status: 400 | 404; message: string };

/**
 * A task hash as Nx sends it (a decimal u64), with room for other clients' hex or base64url
 * hashes. No `.`, `/` or `\`, so a hash is always one plain file name inside the cache folder.
 */
const ENTRY_HASH = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Reads `/v1/cache/{hash}` from a request URL. Anything else is 404; a hash that is not one
 * plain file name is 400, and so is a malformed %-escape (`%`, `%zz`, a cut or invalid UTF-8
 * sequence), which `decodeURIComponent` would otherwise throw out of the handler as a 500.
 */
export function parseCacheRequestPath(url: string | undefined): CacheRequestPath {
  const match = /^\/v1\/cache\/([^/?#]+)$/.exec((url ?? '').split(/[?#]/)[0]);
  if (!match) return { kind: 'refused', status: 404, message: 'not found: the cache lives under /v1/cache/{hash}' };
  let hash: string;
  try {
    hash = decodeURIComponent(match[1]);
  } catch {
    return { kind: 'refused', status: 400, message: 'invalid hash: malformed %-escape in the path' };
  }
  if (!ENTRY_HASH.test(hash)) return { kind: 'refused', status: 400, message: 'invalid hash: use 1 to 128 of A-Z, a-z, 0-9, "_" and "-"' };
  return { kind: 'entry', hash };
}
