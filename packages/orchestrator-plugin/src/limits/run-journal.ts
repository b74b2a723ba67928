import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ProcessIdentity } from './process-identity';

/** Tokens and cost of something an agent did; cost null when neither the client nor the price table knows it. */
export interface Spend {
  costUsd: number | null;
  tokens: number;
}

/** A run's budget: what all its agents together may spend. Either limit may be left out. */
export interface BudgetLimits {
  costUsd?: number;
  tokens?: number;
}

/** What a budget holds back for a task that runs: what it is expected to spend. */
export interface Reservation {
  costUsd?: number;
  tokens?: number;
}

/**
 * One line of a run's journal: what a task of the run did that the other tasks must know of.
 * Times are epoch milliseconds.
 */
export type JournalEvent =
  /** A task waited for a pool slot before it could start. */
  | { type: 'slot-waited'; at: number; task: string; pool: string; waitedMs: number }
  /** An attempt was turned away with a rate limit or overload (429, 529, a CLI's rate-limit outcome). */
  | {
      type: 'rate-limited';
      at: number;
      task: string;
      provider: string;
      /** When the attempt that was turned away started: only one that started after the last cut shrinks the pool again. */
      attemptStartedAt: number;
      /** What the server asked for, if anything. */
      retryAfterMs?: number;
      /** How long every task of the provider now pauses, from `at`. */
      pauseMs: number;
      /** Tasks of the provider that held a slot when it happened. */
      inUse: number;
      /** The provider's configured pool size (null: none), so the summary can tell the cut from the start. */
      configuredLimit: number | null;
    }
  /** An attempt succeeded: the pool may grow again. */
  | { type: 'attempt-succeeded'; at: number; task: string; provider: string }
  /** A task waited for a provider's pause before its attempt. */
  | { type: 'paused'; at: number; task: string; provider: string; waitedMs: number }
  /** A task was let start under the run budget, holding back `reservation` until it finishes. */
  | { type: 'admitted'; at: number; task: string; owner: ProcessIdentity; reservation: Reservation; budget: BudgetLimits }
  /** What one attempt spent, failed attempts included. */
  | ({ type: 'spent'; at: number; task: string; attempt: number } & Spend)
  /** A task admitted under the budget is done (whatever its outcome). */
  | { type: 'finished'; at: number; task: string }
  /** A task was not started because the run budget is spent. */
  | { type: 'refused'; at: number; task: string; reason: string; budget: BudgetLimits };

export type JournalEventType = JournalEvent['type'];

const EVENT_TYPES: ReadonlySet<string> = new Set<JournalEventType>([
  'slot-waited',
  'rate-limited',
  'attempt-succeeded',
  'paused',
  'admitted',
  'spent',
  'finished',
  'refused',
]);

/**
 * The shared memory of one run: an append-only file of JSON lines in the run's state folder,
 * written by every task process (and every task of a batch process). Each event is one
 * `write` of one short line to a file opened for appending, which the OS places whole at the
 * end, so writers need no lock; readers fold the lines into whatever state they need (see
 * foldBackoff, foldBudget). Reading is incremental: each reader keeps its offset and parses
 * only what was appended since. A line cut short by a crash is skipped.
 */
export class RunJournal {
  private readonly events: JournalEvent[] = [];
  private offset = 0;
  private pending = '';
  // Keeps a character whose bytes straddle two reads whole.
  private decoder = new StringDecoder('utf8');

  constructor(readonly path: string) {}

  /** Appends one event. */
  append(event: JournalEvent): void {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, `${JSON.stringify(event)}\n`);
  }

  /** Every event so far, in the order they were appended. */
  read(): readonly JournalEvent[] {
    let descriptor: number;
    try {
      descriptor = openSync(this.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return this.events;
      throw error;
    }
    try {
      const size = fstatSync(descriptor).size;
      if (size < this.offset) this.reset();
      while (this.offset < size) {
        const buffer = Buffer.alloc(Math.min(size - this.offset, 1 << 20));
        const read = readSync(descriptor, buffer, 0, buffer.length, this.offset);
        if (read === 0) break;
        this.offset += read;
        this.take(this.decoder.write(buffer.subarray(0, read)));
      }
    } finally {
      closeSync(descriptor);
    }
    return this.events;
  }

  private take(text: string): void {
    const lines = (this.pending + text).split('\n');
    // The last piece has no newline yet: a line still being written, or a crash's half line.
    this.pending = lines.pop() ?? '';
    for (const line of lines) {
      const event = parseEvent(line);
      if (event) this.events.push(event);
    }
  }

  private reset(): void {
    this.events.length = 0;
    this.offset = 0;
    this.pending = '';
    this.decoder = new StringDecoder('utf8');
  }
}

function parseEvent(line: string): JournalEvent | undefined {
  if (!line.trim()) return undefined;
  try {
    const value = JSON.parse(line) as { type?: unknown; at?: unknown; task?: unknown };
    // Events of a type this version does not know (a newer plugin in the same run) are left out.
    if (typeof value.type !== 'string' || !EVENT_TYPES.has(value.type) || typeof value.at !== 'number' || typeof value.task !== 'string') return undefined;
    return value as JournalEvent;
  } catch {
    return undefined;
  }
}
