import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
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
 * An entry's file name: `<project>+<task>+<pid>+<startedAt>.json` while the run goes on,
 * `<the same>.ended-<endedAt>.json` once it ended. The name carries the times, so starting a run
 * and asking which runs overlapped it read only the entries that can matter (runs going on, or
 * ended inside the window), not every run of the last day: reading them all cost each task
 * start 24 ms at 2,000 entries, and grew with every run.
 */
const ENTRY_NAME = /^(?<run>.+\+\d+\+(?<startedAt>\d+))(?:\.ended-(?<endedAt>\d+))?\.json$/;

/** A journal file as its name tells it; a name of another form (an older version's) tells nothing, and is read. */
interface ListedEntry {
  file: string;
  /** The run it belongs to: its running and its ended file share it. */
  run: string;
  startedAt?: number;
  endedAt?: number;
}

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
  for (const listed of listEntries(request.folder)) {
    if (listed.endedAt !== undefined) {
      if (listed.endedAt < startedAt - KEEP_ENDED_MS) rmSync(listed.file, { force: true });
      continue;
    }
    const entry = readEntry(listed.file);
    if (!entry) continue;
    if (entry.endedAt === undefined && entry.hostname === hostname() && !isAlive(entry.pid)) recordEnd(listed, { ...entry, endedAt: startedAt });
    else if (entry.endedAt !== undefined && entry.endedAt < startedAt - KEEP_ENDED_MS) rmSync(listed.file, { force: true });
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
  const run = `${safeSegment(request.project)}+${safeSegment(request.task)}+${process.pid}+${startedAt}`;
  const own: ListedEntry = { file: join(request.folder, `${run}.json`), run, startedAt };
  write(own.file, entry);
  let ended = false;
  return {
    entry,
    overlapping() {
      const until = now();
      const others = listEntries(request.folder).filter((listed) => listed.run !== run);
      // A run that is ending has both files for a moment: its ended one says more.
      const endedRuns = new Set(others.filter((listed) => listed.endedAt !== undefined).map((listed) => listed.run));
      return others
        .filter((listed) => (listed.endedAt === undefined ? !endedRuns.has(listed.run) : listed.endedAt >= startedAt))
        .filter((listed) => listed.startedAt === undefined || listed.startedAt <= until)
        .flatMap((listed) => readEntry(listed.file) ?? [])
        .filter((other) => other.startedAt <= until && (other.endedAt ?? Infinity) >= startedAt);
    },
    end() {
      if (ended) return;
      ended = true;
      recordEnd(own, { ...entry, endedAt: now() });
    },
  };
}

/** The journal's files, with what their names say. */
function listEntries(folder: string): ListedEntry[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => {
      const groups = ENTRY_NAME.exec(name)?.groups;
      const file = join(folder, name);
      if (!groups) return { file, run: name };
      return { file, run: groups.run, startedAt: Number(groups.startedAt), ...(groups.endedAt !== undefined ? { endedAt: Number(groups.endedAt) } : {}) };
    });
}

/** Records a run's end: its ended file first, then its running one goes (a reader never sees neither); an older version's file is rewritten in place. */
function recordEnd(listed: ListedEntry, entry: ActivityEntry & { endedAt: number }): void {
  if (listed.startedAt === undefined) return write(listed.file, entry);
  write(join(dirname(listed.file), `${listed.run}.ended-${entry.endedAt}.json`), entry);
  rmSync(listed.file, { force: true });
}

function readEntry(file: string): ActivityEntry | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ActivityEntry;
  } catch {
    // Written by another version, or removed just now: not a run this one can reason about.
    return undefined;
  }
}

function write(file: string, entry: ActivityEntry): void {
  writeFileAtomically(file, `${JSON.stringify(entry)}\n`, { durable: false });
}
