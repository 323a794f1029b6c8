// Before medic (often root) signals a pid it read from a `pid_file`: that file may be writable by
// the worker, and its pid may have been reused since it was written. So a pid is signalled only if
// it is alive (zombies count as dead), is neither PID 1 nor medic itself, and its process started
// no later than the pid file was last written: a process started after the file names a pid that
// was recycled, or a file that someone pointed at another process after the fact.
import { statSync } from 'node:fs';
import { CLOCK_TICKS_PER_SECOND, isDeadState, readProcessInfo, readUptimeSeconds } from './process-info.js';

export type PidFromFile = { ok: true; pid: number } | { ok: false; reason: string };

export interface PidGuardOptions {
  /** medic's own pid. Defaults to process.pid. */
  selfPid?: number;
  /** Slack for clock granularity between a process's start and the file's mtime. Defaults to 1000 ms. */
  toleranceMs?: number;
  /** Wall clock, for the boot time. Defaults to Date.now. */
  now?: () => number;
}

/** Whether `pid`, read from `pidFile`, may be signalled; the reason when not (for the journal). */
export function checkPidFromFile(pid: number, pidFile: string, options: PidGuardOptions = {}): PidFromFile {
  if (!Number.isSafeInteger(pid) || pid <= 1) return { ok: false, reason: `pid file ${pidFile} names pid ${pid}, which medic never signals` };
  if (pid === (options.selfPid ?? process.pid)) return { ok: false, reason: `pid file ${pidFile} names medic itself (pid ${pid})` };
  const info = readProcessInfo(pid);
  if (info === null || isDeadState(info.state)) return { ok: false, reason: `not running (pid ${pid} from ${pidFile})` };
  let mtimeMs: number;
  try {
    mtimeMs = statSync(pidFile).mtimeMs;
  } catch (error) {
    return { ok: false, reason: `pid file ${pidFile}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const bootMs = (options.now ?? Date.now)() - readUptimeSeconds() * 1000;
  const startedMs = bootMs + (info.startTicks * 1000) / CLOCK_TICKS_PER_SECOND;
  if (startedMs > mtimeMs + (options.toleranceMs ?? 1000)) {
    const late = Math.round((startedMs - mtimeMs) / 1000);
    return { ok: false, reason: `pid ${pid} started ${late} s after ${pidFile} was written: the pid was reused; not signalling it` };
  }
  return { ok: true, pid };
}
