// One process from /proc/PID/stat and /proc/PID/status: synchronous, no child processes.
// Shared by the samplers (worker metrics, process trees) and the supervisor (liveness).
import { readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc tick counts. The kernel fixes it at 100 on every architecture medic runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessInfo {
  pid: number;
  /** One letter from /proc/PID/stat: R, S, D, T, Z (zombie), X (dead), ... */
  state: string;
  rssBytes: number;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  /** When the process started, in clock ticks since boot; with pid it identifies the process across pid reuse. */
  startTicks: number;
  threads: number;
  ppid: number;
  pgid: number;
}

export interface ProcStatFields {
  state: string;
  ppid: number;
  /** Process group: medic starts each worker and command as the leader of its own. */
  pgid: number;
  cpuTicks: number;
  startTicks: number;
  threads: number;
}

/** Parses /proc/PID/stat. The command name may hold spaces and parentheses, so fields count from the last ')'. */
export function parseProcessStat(text: string): ProcStatFields {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('malformed /proc/PID/stat');
  // After ')': state(3) ppid(4) ... utime(14) stime(15) ... num_threads(20) itrealvalue(21) starttime(22).
  const fields = text.slice(close + 2).trim().split(' ');
  const at = (field: number): number => Number(fields[field - 3]);
  const state = fields[0];
  const parsed = { ppid: at(4), pgid: at(5), cpuTicks: at(14) + at(15), startTicks: at(22), threads: at(20) };
  if (state === undefined || !Object.values(parsed).every(Number.isFinite)) throw new Error('malformed /proc/PID/stat');
  return { state, ...parsed };
}

/** VmRSS in bytes from /proc/PID/status; 0 when absent (zombies and kernel threads have none). */
export function parseRssBytes(statusText: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(statusText);
  return match ? Number(match[1]) * 1024 : 0;
}

// Null when the process is gone (or exits between the two reads).
export function readProcessInfo(pid: number): ProcessInfo | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    const stat = parseProcessStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const rssBytes = parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { pid, ...stat, rssBytes };
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** False for a missing process and for a zombie, which still answers `kill -0` (PLATFORM.md). */
export function isProcessAlive(pid: number): boolean {
  const info = readProcessInfo(pid);
  return info !== null && !isDeadState(info.state);
}

/** Z (zombie) and X (dead): gone, though a zombie still has its /proc entry. */
export function isDeadState(state: string): boolean {
  return state === 'Z' || state === 'X' || state === 'x';
}

function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Seconds since boot, from /proc/uptime. */
export function readUptimeSeconds(): number {
  const seconds = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  if (!Number.isFinite(seconds)) throw new Error('malformed /proc/uptime');
  return seconds;
}
