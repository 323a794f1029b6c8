// Measurements shared by the scenarios, all from files the workers and launchers write, so both
// tools are timed by the same clock in the same way.
import { isAlive } from './proc.mjs';
import { readHeartbeat, readStarts } from './workers.mjs';
import { waitUpTo } from './wait.mjs';

/**
 * After the worker `oldPid` died (or was told to) at `sinceMs`: ms until a new process was started
 * (its launcher's log) and until it wrote its first heartbeat. null for what did not happen in time.
 */
export async function measureComeback(worker, oldPid, sinceMs, timeoutMs) {
  const start = await waitUpTo(() => readStarts(worker).find((s) => s.pid !== oldPid && s.atMs >= sinceMs - 1), timeoutMs);
  if (!start) return { startedMs: null, heartbeatMs: null, pid: null };
  const beat = await waitUpTo(() => {
    const at = readHeartbeat(worker);
    return at !== null && at >= start.atMs - 1 ? at : undefined;
  }, Math.max(1000, timeoutMs - (Date.now() - sinceMs)));
  return { startedMs: start.atMs - sinceMs, heartbeatMs: beat === undefined ? null : beat - sinceMs, pid: start.pid, startedAt: start.atMs };
}

/** Epoch ms at which `pid` was seen gone (polled every 2 ms), or undefined at the deadline. */
export function waitForDeath(pid, timeoutMs) {
  return waitUpTo(() => (isAlive(pid) ? undefined : Date.now()), timeoutMs, 2);
}
