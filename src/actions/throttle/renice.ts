// The fallback CPU limit where medic cannot write a cgroup: a higher nice value for every thread
// of the worker's processes (nice is per thread on Linux), the old values kept to restore.
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface ReniceHandle {
  method: 'renice';
  nice: number;
  quotaPct: number;
  /** Thread id -> nice value before. */
  previous: Record<string, number>;
}

/** 50% -> 10, 25% -> 14, 10% -> 17: the smaller the quota asked for, the nicer; at least 1. */
export function niceForQuota(pct: number): number {
  return Math.min(19, Math.max(1, Math.round(19 * (1 - Math.min(pct, 100) / 100))));
}

export function reniceProcesses(pids: readonly number[], pct: number): ReniceHandle {
  const nice = niceForQuota(pct);
  const handle: ReniceHandle = { method: 'renice', nice, quotaPct: pct, previous: {} };
  for (const tid of pids.flatMap(listThreads)) {
    try {
      const before = getPriority(tid);
      // Never make a thread less nice than it already is.
      if (before < nice) setPriority(tid, nice);
      handle.previous[String(tid)] = before;
    } catch {
      // The thread ended meanwhile.
    }
  }
  if (Object.keys(handle.previous).length === 0 && pids.length > 0) throw new Error(`no thread of pid ${pids.join(', ')} could be reniced`);
  return handle;
}

export function undoRenice(handle: ReniceHandle): string[] {
  const problems: string[] = [];
  for (const [tid, before] of Object.entries(handle.previous)) {
    try {
      setPriority(Number(tid), before);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ESRCH: gone. Lowering nice needs CAP_SYS_NICE; an unprivileged medic says so.
      if (code !== 'ESRCH' && !/ESRCH|no such process/i.test((error as Error).message)) problems.push(`restoring nice ${before} of thread ${tid} failed: ${(error as Error).message}`);
    }
  }
  return problems;
}

function listThreads(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
}
