// Runs an argv (never a shell) in its own process group and kills the whole group on timeout:
// execa alone signals only the direct child, and a grandchild holding stdout open kept a run
// alive for 15 s and survived it (see PLATFORM.md). SIGTERM first, SIGKILL after a grace
// period. `detached` turns off execa's cleanup at exit, so live groups are tracked for close().
import { execa } from 'execa';

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

export async function runInGroup(argv: string[], timeoutMs: number, liveGroups: Set<number>): Promise<GroupRun> {
  const [file, ...args] = argv;
  const child = execa(file!, args, { detached: true, reject: false, stdin: 'ignore', maxBuffer: 64 * 1024, cleanup: false, encoding: 'utf8' });
  const pid = child.pid;
  if (pid !== undefined) liveGroups.add(pid);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([child, timedOut]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    if (pid !== undefined) {
      killGroup(pid, 'SIGTERM');
      // Even if the leader exits on SIGTERM, members that ignore it are still in the group.
      setTimeout(() => {
        killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
      }, KILL_GRACE_MS);
    }
    // The leader is reaped through execa's promise, which settles once the group is gone.
    child.catch(() => undefined);
    return { timedOut: true, exitCode: null, signal: null, stdout: '', stderr: '', spawnError: null };
  }
  if (pid !== undefined) liveGroups.delete(pid);
  const notStarted = pid === undefined || (outcome.failed && outcome.exitCode === undefined && outcome.signal === undefined);
  const spawnError = notStarted ? outcome.originalMessage || outcome.shortMessage || 'failed to start' : null;
  return {
    timedOut: false,
    exitCode: outcome.exitCode ?? null,
    signal: outcome.signal ?? null,
    stdout: String(outcome.stdout ?? ''),
    stderr: String(outcome.stderr ?? ''),
    spawnError,
  };
}

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}
