// `${stateDir}/workers/<name>.pid`: lets `medic diagnose`, in another process, find a managed
// worker's pid. Written atomically (src/os/atomic-write.ts) so a reader never sees half a number.
// Synchronous on purpose: a few bytes, and a restart's remove-then-write must not interleave.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../os/atomic-write.js';

export function pidFilePath(stateDir: string, worker: string): string {
  return path.join(stateDir, 'workers', `${worker}.pid`);
}

export function writePidFile(stateDir: string, worker: string, pid: number): void {
  const file = pidFilePath(stateDir, worker);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, `${pid}\n`);
}

/** Removes the file only if it still names `pid`, so a late exit cannot remove its successor's file. */
export function removePidFile(stateDir: string, worker: string, pid: number): void {
  if (readPidFile(stateDir, worker) === pid) rmSync(pidFilePath(stateDir, worker), { force: true });
}

export function readPidFile(stateDir: string, worker: string): number | null {
  try {
    const pid = Number(readFileSync(pidFilePath(stateDir, worker), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function removePidFileAnyway(stateDir: string, worker: string): void {
  rmSync(pidFilePath(stateDir, worker), { force: true });
}
