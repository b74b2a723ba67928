import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { safeSegment } from '../../task-spec/path-safety';
import { processIsAlive } from './process-is-alive';
import { writeFileAtomically } from '../../runs/atomic-write';

/** One agent run as the journal knows it: who, what it may write, and when it ran. */
export interface ActivityEntry {
  project: string;
  task: string;
  /** Its write scope: workspace-relative patterns. */
  writes: string[];
  isolation: 'shared' | 'worktree';
  pid: number;
  hostname: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  /** Absent while it runs. */
  endedAt?: number;
}

/** A run's own entry in the journal. */
export interface Activity {
  readonly entry: ActivityEntry;
  /** The other runs whose time overlapped this one's so far (from its start until now). */
  overlapping(): ActivityEntry[];
  /** Records the end; call it once the run has stopped changing files. */
  end(): void;
}

export interface StartActivityRequest {
  /** `<workspace data folder>/agent-activity`: one small file per run. */
  folder: string;
  project: string;
  task: string;
  writes: readonly string[];
  isolation: ActivityEntry['isolation'];
  now?: () => number;
  isAlive?: (pid: number) => boolean;
}

/** How long an ended run stays in the journal: longer than any run it could have overlapped. */
const KEEP_ENDED_MS = 24 * 60 * 60 * 1000;

/**
 * Who ran when, across the processes Nx runs tasks in: each agent run writes its entry when it
 * starts and its end when it ends. A task that ran in the shared checkout asks it which other
 * runs overlapped its own, to tell which of the changes made meanwhile can be its own. A run
 * that died without recording its end is marked ended by the next run that starts and finds
 * its process gone: it ended at the latest then, so it still counts as overlapping every run
 * that was already going. Runs on other machines do not share this folder (and cannot touch
 * this checkout).
 */
export function startActivity(request: StartActivityRequest): Activity {
  const now = request.now ?? Date.now;
  const isAlive = request.isAlive ?? processIsAlive;
  mkdirSync(request.folder, { recursive: true });
  const startedAt = now();
  for (const { file, entry } of readEntries(request.folder)) {
    if (entry.endedAt === undefined && entry.hostname === hostname() && !isAlive(entry.pid)) write(file, { ...entry, endedAt: startedAt });
    else if (entry.endedAt !== undefined && entry.endedAt < startedAt - KEEP_ENDED_MS) rmSync(file, { force: true });
  }
  const entry: ActivityEntry = {
    project: request.project,
    task: request.task,
    writes: [...request.writes],
    isolation: request.isolation,
    pid: process.pid,
    hostname: hostname(),
    startedAt,
  };
  const file = join(request.folder, `${safeSegment(request.project)}+${safeSegment(request.task)}+${process.pid}+${startedAt}.json`);
  write(file, entry);
  let ended = false;
  return {
    entry,
    overlapping() {
      const until = now();
      return readEntries(request.folder)
        .filter((other) => other.file !== file)
        .map((other) => other.entry)
        .filter((other) => other.startedAt <= until && (other.endedAt ?? Infinity) >= startedAt);
    },
    end() {
      if (ended) return;
      ended = true;
      write(file, { ...entry, endedAt: now() });
    },
  };
}

function readEntries(folder: string): Array<{ file: string; entry: ActivityEntry }> {
  const entries: Array<{ file: string; entry: ActivityEntry }> = [];
  for (const name of readdirSync(folder)) {
    if (!name.endsWith('.json')) continue;
    const file = join(folder, name);
    try {
      entries.push({ file, entry: JSON.parse(readFileSync(file, 'utf8')) as ActivityEntry });
    } catch {
      // Written by another version, or removed just now: not a run this one can reason about.
    }
  }
  return entries;
}

function write(file: string, entry: ActivityEntry): void {
  writeFileAtomically(file, `${JSON.stringify(entry)}\n`, { durable: false });
}
