// Process groups: medic starts every command and worker as the leader of its own group
// (`detached: true` runs setsid(), so pgid === pid) so that one signal reaches the whole tree.
// Liveness comes from /proc, not from `kill -0`: PID 1 on these hosts does not reap orphans,
// and a zombie still answers `kill -0` and keeps its /proc entry (state Z). Zombies count as dead.
import { readdirSync } from 'node:fs';
import { isDeadState, readProcessInfo } from './process-info.js';

/** Sends a signal to every process in the group; false when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`refusing to signal process group ${pgid}`);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Pids of the group's members that are still alive (zombies left out). Scans /proc: call it while stopping, not per tick. */
export function listLiveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcessInfo(Number(entry));
    if (info && info.pgid === pgid && !isDeadState(info.state)) members.push(info.pid);
  }
  return members;
}

/** Polls until `check()` holds or `timeoutMs` passes; resolves to whether it held. */
export async function waitUntil(check: () => boolean, timeoutMs: number, pollMs = 25): Promise<boolean> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  for (;;) {
    if (check()) return true;
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, leftMs)));
  }
}
