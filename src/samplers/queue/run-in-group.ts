// A queue command, through medic's one process-group runner (src/os/run-in-group.ts): its own
// group, medic's secrets kept out of its environment, SIGTERM to the whole group at the timeout and
// SIGKILL after a grace period. The sample does not wait for the kill: the reading is "timed out"
// at the deadline and the group is killed in the background, tracked in `liveGroups` until gone
// so that close() can end it at once.
import { signalGroup } from '../../os/process-group.js';
import { startInGroup } from '../../os/run-in-group.js';

export interface GroupRun {
  timedOut: boolean;
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Why the program could not start (ENOENT, EACCES), else null. */
  spawnError: string | null;
}

/** Time between SIGTERM and SIGKILL to a timed-out group. */
export const KILL_GRACE_MS = 1000;
/** A queue command prints a number; more than this is not read. */
const MAX_OUTPUT_BYTES = 64 * 1024;

export async function runInGroup(argv: string[], timeoutMs: number, liveGroups: Set<number>): Promise<GroupRun> {
  const group = startInGroup(argv, { timeoutMs, killGraceMs: KILL_GRACE_MS, waitForGroup: false, maxOutputBytes: MAX_OUTPUT_BYTES });
  const { pid } = group;
  if (pid !== undefined) {
    liveGroups.add(pid);
    void group.finished.then(() => liveGroups.delete(pid));
  }
  const run = await group.result;
  if (run.stopReason !== null) return { timedOut: true, exitCode: null, signal: null, stdout: '', stderr: '', spawnError: null };
  return {
    timedOut: false,
    exitCode: run.exitCode,
    signal: run.signal,
    stdout: run.stdout,
    stderr: run.stderr,
    spawnError: run.spawnError ? run.spawnError.message || run.spawnError.code || 'failed to start' : null,
  };
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    signalGroup(pid, signal);
  } catch {
    // EPERM: not ours to signal any more.
  }
}
