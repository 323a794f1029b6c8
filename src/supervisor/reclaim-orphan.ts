// A worker left running by a medic that died (kill -9, OOM) is still ours: its pid file names it
// and its environment carries MEDIC_WORKER=NAME. Starting a second copy beside it would double
// the work or fight over its port, so the old one is stopped first. Under systemd the unit's
// cgroup is cleaned on medic's death anyway; this covers medic run by hand or by another init.
import { readFileSync } from 'node:fs';
import { pidFilePath, readPidFile, removePidFileAnyway } from './pid-file.js';
import { checkPidFromFile } from '../os/pid-guard.js';
import { listLiveGroupMembers, signalGroup, waitUntil } from '../os/process-group.js';
import { isProcessAlive } from '../os/process-info.js';

const KILL_WAIT_MS = 2000;

/** Stops the orphaned worker named in the pid file, if it is really ours; returns its pid. */
export async function reclaimOrphan(stateDir: string, name: string, stopTimeoutMs: number): Promise<number | null> {
  const pid = readPidFile(stateDir, name);
  if (pid === null) return null;
  // Also refused: PID 1, medic itself, and a process younger than the file (a reused pid).
  if (!isProcessAlive(pid) || !carriesWorkerName(pid, name) || !checkPidFromFile(pid, pidFilePath(stateDir, name)).ok) {
    // A stale file, or the pid now belongs to someone else: never signal a stranger.
    removePidFileAnyway(stateDir, name);
    return null;
  }
  const groupGone = () => listLiveGroupMembers(pid).length === 0;
  signalGroup(pid, 'SIGTERM');
  if (!(await waitUntil(groupGone, stopTimeoutMs))) {
    signalGroup(pid, 'SIGKILL');
    await waitUntil(groupGone, KILL_WAIT_MS);
  }
  removePidFileAnyway(stateDir, name);
  return pid;
}

function carriesWorkerName(pid: number, name: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`MEDIC_WORKER=${name}`);
  } catch {
    return false;
  }
}
