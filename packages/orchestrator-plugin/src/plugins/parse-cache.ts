import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from '../runs/atomic-write';
import type { ParsedSpecFile } from '../task-spec/parsed-spec-file';

interface CacheEntry {
  hash: string;
  parsed: ParsedSpecFile;
}

/**
 * Parsed spec files kept on disk between graph computations, keyed by file path and
 * validated by a hash of the file's content, so an unchanged spec is never parsed twice.
 * Only entries used in the current computation are written back, so deleted specs drop out.
 */
export class ParseCache {
  private readonly previous: Record<string, CacheEntry>;
  private readonly current: Record<string, CacheEntry> = {};

  constructor(private readonly path: string) {
    this.previous = readCache(path);
  }

  /** The parsed file for this content, from the cache or from `parse`. */
  get(file: string, content: string, parse: () => ParsedSpecFile): ParsedSpecFile {
    const hash = createHash('sha1').update(content).digest('hex');
    const cached = this.previous[file];
    const entry = cached && cached.hash === hash ? cached : { hash, parsed: parse() };
    this.current[file] = entry;
    return entry.parsed;
  }

  /**
   * Writes the entries used since construction; atomic, so a crash leaves the old cache.
   * The cache only saves time: failing to write it (read-only checkout, full disk) is not
   * worth failing the project graph over.
   */
  save(): void {
    try {
      writeFileAtomically(this.path, JSON.stringify(this.current), { durable: false });
    } catch {
      // Not saved: the next computation parses again.
    }
  }
}

function readCache(path: string): Record<string, CacheEntry> {
  if (!existsSync(path)) return {};
  try {
    const cache: unknown = JSON.parse(readFileSync(path, 'utf8'));
    // Anything but an object (a truncated or foreign file) is no cache at all.
    return cache !== null && typeof cache === 'object' && !Array.isArray(cache) ? (cache as Record<string, CacheEntry>) : {};
  } catch {
    return {};
  }
}
