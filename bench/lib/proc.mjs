// What the kernel says a process costs: CPU time from /proc/PID/stat, memory from
// /proc/PID/status. Read from outside the process, as an operator's `ps` or `top` would.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second, the unit of utime/stime (100 on Linux, but asked, not assumed). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * CPU seconds of the process itself (utime + stime) and of its children it has waited for
 * (cutime + cstime: e.g. every nvidia-smi medic ran).
 */
export function readCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17.
  const field = (n) => Number(fields[n - 3]);
  return { self: (field(14) + field(15)) / CLOCK_TICKS, children: (field(16) + field(17)) / CLOCK_TICKS };
}

/** Resident memory now (VmRSS) and at its peak (VmHWM), in bytes. */
export function readMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
}
