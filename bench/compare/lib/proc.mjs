// What /proc says about a process: alive (a zombie is dead), CPU seconds, resident memory.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond;

function clockTicks() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** Fields of /proc/PID/stat after the command name, 0-based from field 3 (state); null when gone. */
function readStat(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie (PID 1 here does not reap orphans). */
export function isAlive(pid) {
  const fields = readStat(pid);
  return fields !== null && fields[0] !== 'Z' && fields[0] !== 'X';
}

export function isZombie(pid) {
  return readStat(pid)?.[0] === 'Z';
}

/** utime + stime of the process, plus those of its children it has reaped, in seconds. */
export function readCpuSeconds(pid) {
  const fields = readStat(pid);
  if (!fields) return null;
  // utime, stime, cutime, cstime are fields 14..17 of stat, i.e. 11..14 here.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return ticks / clockTicks();
}

/** VmRSS and VmHWM (peak) in bytes; null when the process is gone. */
export function readMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rssBytes: kib('VmRSS'), peakBytes: kib('VmHWM') };
  } catch {
    return null;
  }
}

export function listChildren(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The command line, to make sure a pid from a log is still the process it was. */
export function readCmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function killQuietly(pid, signal = 'SIGKILL') {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}
