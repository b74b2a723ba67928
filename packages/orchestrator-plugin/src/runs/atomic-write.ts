import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/**
 * Writes a file so readers see the old content or the new, never half of either: a uniquely
 * named temp file beside it, then a rename (write-file-atomic, which also removes the temp file
 * when the process dies mid-write). Creates the folder. `durable: false` skips the fsync, for
 * caches that only save time.
 */
export function writeFileAtomically(path: string, content: string, options: { durable?: boolean } = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic.sync(path, content, { fsync: options.durable ?? true });
}
