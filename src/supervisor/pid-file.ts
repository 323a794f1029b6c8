// `${stateDir}/workers/<name>.pid`: lets `medic diagnose`, in another process, find a managed
// worker's pid. Written atomically (tmp + rename) so a reader never sees half a number.
// Synchronous on purpose: a few bytes, and a restart's remove-then-write must not interleave.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function pidFilePath(stateDir: string, worker: string): string {
  return path.join(stateDir, 'workers', `${worker}.pid`);
}

export function writePidFile(stateDir: string, worker: string, pid: number): void {
  const file = pidFilePath(stateDir, worker);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${pid}\n`);
  renameSync(tmp, file);
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
