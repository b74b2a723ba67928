import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Who owns a lock or a reservation: enough to tell later, from another process, whether that
 * owner still runs. A pid alone is not enough (pids are reused), so the start time of the
 * process goes with it, and the machine (host, boot and pid namespace) says whether the pid
 * can be looked up here at all.
 */
export interface ProcessIdentity {
  pid: number;
  /** The process's start time as the OS reports it (Linux: clock ticks since boot), where known. */
  startTime?: string;
  /** Host name, plus boot id and pid namespace on Linux: pids are only comparable on the same machine. */
  machine: string;
}

/** Whether an owner still runs: `unknown` when this process cannot look it up (another machine). */
export type Liveness = 'alive' | 'dead' | 'unknown';

/** The OS facts the identity is built from; injectable for tests. */
export interface ProcessTable {
  platform: NodeJS.Platform;
  hostname: () => string;
  /** Text of a /proc file, or undefined when it does not exist or cannot be read. */
  readProc: (path: string) => string | undefined;
  /** Target of a /proc symlink (`/proc/self/ns/pid`), or undefined. */
  readProcLink: (path: string) => string | undefined;
  /** `ps -o lstart= -p <pid>` output on macOS and the BSDs, or undefined. */
  psStartTime: (pid: number) => string | undefined;
  /** Whether a process with this pid exists (signal 0). */
  exists: (pid: number) => boolean;
}

/** The real process table of this machine. */
export const SYSTEM_PROCESS_TABLE: ProcessTable = {
  platform: process.platform,
  hostname,
  readProc: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  readProcLink: (path) => {
    try {
      return readlinkSync(path);
    } catch {
      return undefined;
    }
  },
  psStartTime: (pid) => {
    const result = spawnSync('ps', ['-o', 'lstart=', '-p', String(pid)], { encoding: 'utf8' });
    const text = result.status === 0 ? result.stdout.trim() : '';
    return text || undefined;
  },
  exists: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      // EPERM: it exists, but belongs to another user.
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/**
 * Reads who a process is, and whether a recorded owner still runs. Start times are looked up
 * once per pid and cached for `cacheMs`: waiters ask about the same few owners many times.
 */
export class ProcessIdentities {
  private readonly startTimes = new Map<number, { value: string | undefined; at: number }>();
  private machineId?: string;

  constructor(
    private readonly table: ProcessTable = SYSTEM_PROCESS_TABLE,
    private readonly now: () => number = Date.now,
    private readonly cacheMs = 1_000,
  ) {}

  /** The identity of the process with `pid` (default: this one) on this machine. */
  identify(pid: number = process.pid): ProcessIdentity {
    const startTime = this.startTime(pid, true);
    return { pid, ...(startTime !== undefined ? { startTime } : {}), machine: this.machine() };
  }

  /**
   * Whether `owner` still runs. On this machine: dead when no process has its pid, or the process
   * with its pid started at another time (the pid was reused); alive otherwise. On another
   * machine: unknown (the caller falls back to the owner's heartbeat).
   */
  liveness(owner: ProcessIdentity): Liveness {
    if (owner.machine !== this.machine()) return 'unknown';
    if (!this.table.exists(owner.pid)) return 'dead';
    if (owner.startTime === undefined) return 'alive';
    const current = this.startTime(owner.pid, false);
    if (current === undefined) return this.table.exists(owner.pid) ? 'alive' : 'dead';
    return current === owner.startTime ? 'alive' : 'dead';
  }

  private machine(): string {
    if (this.machineId === undefined) {
      const parts = [this.table.hostname()];
      if (this.table.platform === 'linux') {
        parts.push(this.table.readProc('/proc/sys/kernel/random/boot_id')?.trim() ?? '');
        parts.push(this.table.readProcLink('/proc/self/ns/pid') ?? '');
      }
      this.machineId = parts.join('/');
    }
    return this.machineId;
  }

  private startTime(pid: number, fresh: boolean): string | undefined {
    const cached = this.startTimes.get(pid);
    if (!fresh && cached && this.now() - cached.at < this.cacheMs) return cached.value;
    const value = this.readStartTime(pid);
    this.startTimes.set(pid, { value, at: this.now() });
    return value;
  }

  private readStartTime(pid: number): string | undefined {
    if (this.table.platform === 'linux') {
      const stat = this.table.readProc(`/proc/${pid}/stat`);
      return stat === undefined ? undefined : startTimeFromProcStat(stat);
    }
    if (this.table.platform === 'win32') return undefined;
    return this.table.psStartTime(pid);
  }
}

/**
 * Field 22 (starttime) of a Linux /proc/<pid>/stat line. The command name (field 2) is in
 * parentheses and may itself hold spaces and parentheses, so fields are counted after the last `)`.
 */
export function startTimeFromProcStat(stat: string): string | undefined {
  const end = stat.lastIndexOf(')');
  if (end < 0) return undefined;
  // After ")" come fields 3, 4, ...: starttime (22) is the 20th of them.
  const fields = stat
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  return fields[19];
}
