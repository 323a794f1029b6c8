// Ends the process group of an action's command that a killed medic left running. The pgid comes
// from the journal and may have been reused since, so the group is signalled only while one of its
// live members carries MEDIC_ACTION_ID=<that action's id> (command-owner.ts): never a stranger.
import { readFileSync } from 'node:fs';
import { ACTION_ID_ENV } from './command-owner.js';
import { listLiveGroupMembers, signalGroup, waitUntil } from '../os/process-group.js';

/** Between SIGTERM and SIGKILL, as for a command that timed out (run-command's default). */
const DEFAULT_GRACE_MS = 3000;
/** After SIGKILL, how long to wait (a process in D state cannot die). */
const KILL_WAIT_MS = 1000;

// Ends group `pgid` if it is still the command of action `actionId`; returns the last signal
// sent, or null when nothing of it runs any more (or what runs is not ours).
export async function endOrphanedCommand(pgid: number, actionId: number, options: { graceMs?: number } = {}): Promise<'SIGTERM' | 'SIGKILL' | null> {
  if (!Number.isSafeInteger(pgid) || pgid <= 1 || pgid === process.pid) return null;
  const members = listLiveGroupMembers(pgid);
  if (!members.some((pid) => carriesActionId(pid, actionId))) return null;
  const gone = (): boolean => listLiveGroupMembers(pgid).length === 0;
  sendToGroup(pgid, 'SIGTERM');
  if (await waitUntil(gone, options.graceMs ?? DEFAULT_GRACE_MS, 50)) return 'SIGTERM';
  sendToGroup(pgid, 'SIGKILL');
  await waitUntil(gone, KILL_WAIT_MS, 50);
  return 'SIGKILL';
}

function sendToGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    signalGroup(pgid, signal);
  } catch {
    // EPERM: a member changed its credentials; the others got the signal, the wait tells the rest.
  }
}

function carriesActionId(pid: number, actionId: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${ACTION_ID_ENV}=${actionId}`);
  } catch {
    // Gone, or another user's process medic may not read: not provably ours.
    return false;
  }
}
