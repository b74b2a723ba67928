import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { onExit } from 'signal-exit';
import { abortableSleep, stoppedError } from './abortable-sleep';
import { ProcessIdentities, type ProcessIdentity } from './process-identity';

/** What the owner of a ticket or a choosing marker writes into it. */
interface OwnerFile extends ProcessIdentity {
  holder: string;
  createdAt: number;
}

/** How a pool looks to one waiter. */
export interface PoolWaitState {
  /** Slots taken by tasks ahead of this one (at most the limit). */
  inUse: number;
  /** Tasks ahead of this one that wait too. */
  waitingAhead: number;
  limit: number;
}

/** One request for a slot. */
export interface PoolSlotRequest {
  /** The pool's own folder; every process that shares the pool names the same one. */
  folder: string;
  /** Read at every look, so a pool can shrink or grow while tasks wait; Infinity for no limit. */
  limit: () => number;
  /** Who asks (a task id): written into the ticket, for whoever looks at the folder. */
  holder: string;
  signal?: AbortSignal;
  /** Called when the wait starts and whenever what it waits for changes. */
  onWait?: (state: PoolWaitState) => void;
}

/** A slot held until `release`; released too when the process exits, also by Ctrl-C or SIGTERM. */
export interface PoolSlot {
  /** How long the request waited behind other holders (0 when a slot was free). */
  readonly waitedMs: number;
  /** Gives the slot back. Safe to call twice. */
  release(): void;
}

export interface ConcurrencyPoolOptions {
  identities?: ProcessIdentities;
  now?: () => number;
  sleep?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  /** Time between two looks while waiting (jittered by a quarter either way). */
  pollMs?: number;
  /** A ticket whose owner cannot be looked up (another machine) is dead once its heartbeat is this old. */
  staleMs?: number;
}

const TICKET = /^ticket-(\d{12})-([0-9a-f]{16})\.json$/;
const CHOOSING = /^choosing-([0-9a-f]{16})\.json$/;
const DEFAULT_POLL_MS = 200;
const DEFAULT_STALE_MS = 30_000;
/** While another process is taking a ticket (microseconds to milliseconds), look again soon. */
const CHOOSING_POLL_MS = 10;

/**
 * A counting semaphore across processes and within one: at most `limit()` holders at once.
 * It is Lamport's bakery algorithm on files in one folder. A waiter announces itself
 * (`choosing-<token>`), takes a ticket numbered one past the highest it sees
 * (`ticket-<n>-<token>`, written whole by a rename), and withdraws the announcement; it holds
 * a slot once no one is still choosing and fewer than `limit()` live tickets sort before its
 * own. Anyone who was choosing while it looked has an announcement it waits for, and anyone
 * who starts choosing later sees its ticket and takes a higher number, so no decision misses a
 * ticket ahead of it. Tickets are served in order (first come, first served).
 *
 * A holder that dies without releasing (SIGKILL, a crash) is noticed by the next look: its
 * ticket names its pid and the process's start time, and a pid that no longer runs, or now
 * belongs to a process that started at another time, is dead. Tickets from another machine
 * sharing the folder are judged by their heartbeat (mtime, touched every `staleMs / 3`).
 * Every file name carries a random token and is never reused, so removing a dead owner's file
 * can never remove a live one's: the race that makes mtime-only lock files (proper-lockfile)
 * hand one stale lock to two waiters cannot happen here.
 */
export class ConcurrencyPool {
  private readonly identities: ProcessIdentities;
  private readonly now: () => number;
  private readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  private readonly pollMs: number;
  private readonly staleMs: number;
  /** Owner files never change once written: parsed once per name. */
  private readonly owners = new Map<string, OwnerFile | null>();

  constructor(options: ConcurrencyPoolOptions = {}) {
    this.now = options.now ?? Date.now;
    this.identities = options.identities ?? new ProcessIdentities(undefined, this.now);
    this.sleep = options.sleep ?? abortableSleep;
    this.pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  }

  /** Waits for a slot and holds it. Rejects (and leaves nothing behind) when `signal` aborts. */
  async acquire(request: PoolSlotRequest): Promise<PoolSlot> {
    const { folder, signal } = request;
    if (signal?.aborted) throw stoppedError('waiting for a slot');
    mkdirSync(folder, { recursive: true });
    const requestedAt = this.now();
    let ticketPath = join(folder, this.takeTicket(folder, request.holder));
    const removeExitHook = onExit(() => removeFile(ticketPath));
    const heartbeat = setInterval(() => touch(ticketPath, this.now()), Math.max(1_000, Math.floor(this.staleMs / 3)));
    heartbeat.unref();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      removeFile(ticketPath);
      removeExitHook();
    };
    let waited = false;
    try {
      let reported: string | undefined;
      for (;;) {
        if (signal?.aborted) throw stoppedError('waiting for a slot');
        const look = this.look(folder, basename(ticketPath), request.limit());
        if (look.kind === 'acquired') break;
        if (look.kind === 'lost') {
          // Judged dead by a process that could not look this one up (another machine, a late
          // heartbeat): queue again rather than fail the task.
          ticketPath = join(folder, this.takeTicket(folder, request.holder));
          continue;
        }
        if (look.kind === 'waiting') {
          waited = true;
          const key = `${look.state.inUse}/${look.state.waitingAhead}/${look.state.limit}`;
          if (key !== reported) request.onWait?.(look.state);
          reported = key;
        }
        await this.sleep(look.kind === 'choosing' ? CHOOSING_POLL_MS : jitter(this.pollMs), signal);
      }
    } catch (error) {
      release();
      throw error;
    }
    // Only time spent behind other holders counts as waiting, not the few file operations of taking a ticket.
    return { waitedMs: waited ? this.now() - requestedAt : 0, release };
  }

  /** How many live tickets the pool has (holders and waiters): what "in use" counts for a rate limit. */
  count(folder: string): number {
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return 0;
    }
    return names.filter((name) => TICKET.test(name) && !this.isDead(folder, name)).length;
  }

  /**
   * Announce, take the next number, withdraw; returns the ticket's file name. Synchronous, so
   * tasks of one process cannot interleave in it. A fresh token each time: no name is reused.
   */
  private takeTicket(folder: string, holder: string): string {
    const token = randomBytes(8).toString('hex');
    const owner: OwnerFile = { ...this.identities.identify(), holder, createdAt: this.now() };
    const choosing = join(folder, `choosing-${token}.json`);
    writeWhole(folder, choosing, token, owner);
    try {
      let highest = 0;
      for (const name of readdirSync(folder)) {
        const match = TICKET.exec(name);
        if (match) highest = Math.max(highest, Number(match[1]));
      }
      const ticketName = `ticket-${String(highest + 1).padStart(12, '0')}-${token}.json`;
      writeWhole(folder, join(folder, ticketName), token, owner);
      return ticketName;
    } finally {
      removeFile(choosing);
    }
  }

  /** One look at the folder: whether the ticket holds a slot now, and if not, what it waits for. */
  private look(
    folder: string,
    ticketName: string,
    limitNow: number,
  ): { kind: 'acquired' } | { kind: 'choosing' } | { kind: 'lost' } | { kind: 'waiting'; state: PoolWaitState } {
    const tickets: Array<{ name: string; order: string }> = [];
    let choosing = false;
    for (const name of readdirSync(folder)) {
      const ticket = TICKET.exec(name);
      const marker = CHOOSING.exec(name);
      if (!ticket && !marker) {
        // A temp file lives only inside one synchronous takeTicket: an old one is a crash's leftover.
        if (name.startsWith('.tmp-') && this.isOlderThanStale(folder, name)) removeFile(join(folder, name));
        continue;
      }
      if (name !== ticketName && this.isDead(folder, name)) {
        removeFile(join(folder, name));
        this.owners.delete(name);
        continue;
      }
      if (marker) choosing = true;
      else tickets.push({ name, order: `${ticket![1]}-${ticket![2]}` });
    }
    if (choosing) return { kind: 'choosing' };
    tickets.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    const ahead = tickets.findIndex((ticket) => ticket.name === ticketName);
    if (ahead < 0) return { kind: 'lost' };
    const limit = limitNow === Infinity ? Infinity : Math.max(1, Math.floor(limitNow));
    if (ahead < limit) return { kind: 'acquired' };
    const inUse = Math.min(ahead, limit);
    return { kind: 'waiting', state: { inUse, waitingAhead: ahead - inUse, limit } };
  }

  /** Whether the owner of a ticket or marker is gone: by pid and start time here, by heartbeat elsewhere. */
  private isDead(folder: string, name: string): boolean {
    const owner = this.readOwner(folder, name);
    const liveness = owner ? this.identities.liveness(owner) : 'unknown';
    if (liveness !== 'unknown') return liveness === 'dead';
    return this.isOlderThanStale(folder, name);
  }

  private isOlderThanStale(folder: string, name: string): boolean {
    try {
      return this.now() - statSync(join(folder, name)).mtimeMs > this.staleMs;
    } catch {
      return false;
    }
  }

  private readOwner(folder: string, name: string): OwnerFile | undefined {
    if (!this.owners.has(name)) {
      try {
        this.owners.set(name, JSON.parse(readFileSync(join(folder, name), 'utf8')) as OwnerFile);
      } catch {
        // Gone since the listing, or not ours to read: judged by its mtime, not cached.
        return undefined;
      }
    }
    return this.owners.get(name) ?? undefined;
  }
}

/** Writes a file whole under its final name: readers never see it half-written. */
function writeWhole(folder: string, path: string, token: string, owner: OwnerFile): void {
  const temporary = join(folder, `.tmp-${token}`);
  writeFileSync(temporary, JSON.stringify(owner));
  renameSync(temporary, path);
}

function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function touch(path: string, now: number): void {
  try {
    const time = new Date(now);
    utimesSync(path, time, time);
  } catch {
    // Released meanwhile, or removed by a waiter that judged it dead: nothing to keep alive.
  }
}

function jitter(milliseconds: number): number {
  return Math.round(milliseconds * (0.75 + Math.random() / 2));
}
