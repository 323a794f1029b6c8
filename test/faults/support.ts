// Shared by the end-to-end fault tests: a temporary rules folder and state folder per test, `medic
// run` as a real process (test/helpers/medic-process.ts), and cleanup of everything a test
// started, including process groups a SIGKILLed medic left behind (PID 1 here does not reap).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { REPO, startMedic, type MedicProcess } from '../helpers/medic-process.js';

export const WORKERS = path.join(REPO, 'test', 'fixtures', 'workers');
export const BIN = path.join(REPO, 'test', 'fixtures', 'bin');

export interface FaultBed {
  dir: string;
  rulesDir: string;
  stateDir: string;
  writeRules(yaml: string): void;
  /** `stateDir` overrides the bed's own (a state folder on a test filesystem). */
  start(env?: NodeJS.ProcessEnv, stateDir?: string): MedicProcess;
}

const running: MedicProcess[] = [];
const dirs: string[] = [];
const markers: string[] = [];
const cleanups: (() => unknown)[] = [];

/** Registers the cleanup hook; call once at the top of a test file. */
export function useFaultBeds(): void {
  afterEach(async () => {
    await Promise.all(running.splice(0).map((m) => m.shutdown()));
    for (const marker of markers.splice(0)) for (const pid of findPids(marker)) killGroup(pid);
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}

/** Runs `cleanup` after the current test, after medic is stopped. */
export function onCleanup(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** A fresh rules + state folder; `start()` runs `medic run` on it with paging off unless env says. */
export function createFaultBed(yaml: string | ((dir: string) => string)): FaultBed {
  const dir = mkdtempSync(path.join(tmpdir(), 'medic-faults-'));
  dirs.push(dir);
  const rulesDir = path.join(dir, 'rules');
  const stateDir = path.join(dir, 'state');
  mkdirSync(rulesDir);
  const writeRules = (text: string) => writeFileSync(path.join(rulesDir, 'rules.yaml'), text);
  writeRules(typeof yaml === 'string' ? yaml : yaml(dir));
  return {
    dir,
    rulesDir,
    stateDir,
    writeRules,
    start(env = {}, state = stateDir) {
      const medic = startMedic(['run', '--rules', rulesDir, '--state', state], env);
      running.push(medic);
      return medic;
    },
  };
}

/** A unique word to put in a command line, so the test can find (and end) what it started. */
export function createMarker(label: string): string {
  const marker = `medic-fault-${label}-${process.pid}-${Date.now()}`;
  markers.push(marker);
  return marker;
}

/** Pids whose command line or environment holds `marker`, as ps would find them. */
export function findPids(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSafe('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (cmdline.includes(marker) && !/\) Z /.test(stat)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The pid in a managed worker's pid file, or undefined. */
export function readWorkerPid(stateDir: string, worker: string): number | undefined {
  try {
    const pid = Number(readFileSync(path.join(stateDir, 'workers', `${worker}.pid`), 'utf8').trim());
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
