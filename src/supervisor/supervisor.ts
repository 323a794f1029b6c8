// Workers that medic starts itself (mode 'managed'). The supervisor starts, stops and restarts
// them and reports every exit at once through the 'exit' event. It never restarts a crashed
// worker by itself: that is the engine's decision (the daemon calls restart()).
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ActionOutcome, WorkerSpec } from '../core/types.js';
import { describeOutcome } from '../actions/describe-outcome.js';
import { childEnv } from '../os/child-env.js';
import { removePidFile, writePidFile } from './pid-file.js';
import { reclaimOrphan } from './reclaim-orphan.js';
import { spawnWorker, type WorkerExit, type WorkerProcess } from './worker-process.js';

export type ManagedWorkerSpec = Extract<WorkerSpec, { mode: 'managed' }>;
export type { WorkerExit } from './worker-process.js';

export interface WorkerStatus {
  name: string;
  up: boolean;
  pid: number | null;
  /** Restarts by medic (restart(), reconcile) since this supervisor was created. */
  restarts: number;
  startedAt: number | null;
  lastExit: WorkerExit | null;
}

export interface SupervisorOptions {
  /** Pid files go to `${stateDir}/workers/<name>.pid`. */
  stateDir: string;
  /** Clock for startedAt and exit times. Defaults to Date.now. */
  now?: () => number;
  /** Each line a worker prints, without its newline. */
  onOutput?: (worker: string, stream: 'stdout' | 'stderr', line: string) => void;
  /** Longer lines are cut here. Defaults to 4096 characters. */
  maxLineLength?: number;
}

export interface SupervisorEvents {
  start: [name: string, pid: number];
  exit: [name: string, exit: WorkerExit];
}

interface Entry {
  spec: ManagedWorkerSpec;
  worker: WorkerProcess | null;
  restarts: number;
  lastExit: WorkerExit | null;
  /** Operations on one worker run one at a time. */
  queue: Promise<unknown>;
}

/** After SIGKILL, how long stop() waits for the group to die (D state) before giving up. */
const KILL_WAIT_MS = 5000;
/** Part of a restart's budget kept for starting the new process. */
const START_RESERVE_MS = 1000;
/** Worker names become file names. */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class Supervisor extends EventEmitter<SupervisorEvents> {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: SupervisorOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  // Spawns the worker; ok (status 'started', details.pid) once the process has a pid.
  // The first start of a name first stops a copy that a dead medic left running (details.reclaimedPid).
  start(spec: ManagedWorkerSpec): Promise<ActionOutcome> {
    const known = this.entries.get(spec.name);
    const entry = known ?? this.addEntry(spec);
    return this.serialize(entry, async () => {
      if (entry.worker === null) entry.spec = spec;
      const t0 = performance.now();
      const reclaimedPid = known ? null : await reclaimOrphan(this.options.stateDir, spec.name, spec.stopTimeoutMs);
      const started = await this.startNow(entry, t0);
      return reclaimedPid === null ? started : { ...started, details: { ...started.details, reclaimedPid } };
    });
  }

  // SIGTERM to the group, SIGKILL after spec.stopTimeoutMs; resolves once the whole group is gone.
  stop(name: string): Promise<ActionOutcome> {
    const entry = this.entries.get(name);
    if (!entry) return Promise.resolve(noTarget(`stop ${name}`));
    return this.serialize(entry, () => this.stopNow(entry, performance.now(), entry.spec.stopTimeoutMs, KILL_WAIT_MS));
  }

  // Stop (if up), then start; bounded by spec.restartTimeoutMs; details { oldPid, newPid }.
  restart(name: string): Promise<ActionOutcome> {
    const entry = this.entries.get(name);
    if (!entry) return Promise.resolve(noTarget(`restart_worker ${name}`));
    return this.serialize(entry, () => this.restartNow(entry));
  }

  // Drain before a restart: `signal` to the main process, then up to graceMs for it to exit by itself.
  async drain(name: string, signal: NodeJS.Signals, graceMs: number): Promise<{ pid: number | null; exited: boolean }> {
    const worker = this.entries.get(name)?.worker ?? null;
    if (worker === null) return { pid: null, exited: true };
    return { pid: worker.pid, exited: await worker.requestExit(signal, graceMs) };
  }

  status(name: string): WorkerStatus | undefined {
    const entry = this.entries.get(name);
    if (!entry) return undefined;
    return {
      name,
      up: entry.worker !== null,
      pid: entry.worker?.pid ?? null,
      restarts: entry.restarts,
      startedAt: entry.worker?.startedAt ?? null,
      lastExit: entry.lastExit,
    };
  }

  statuses(): WorkerStatus[] {
    return [...this.entries.keys()].map((name) => this.status(name)!);
  }

  // After a reload: start new workers, stop removed ones, restart those whose argv/cwd/env changed.
  async reconcile(specs: ManagedWorkerSpec[]): Promise<void> {
    const wanted = new Map(specs.map((spec) => [spec.name, spec]));
    const work: Promise<unknown>[] = [];
    for (const [name, entry] of this.entries) {
      if (!wanted.has(name)) work.push(this.stop(name).then(() => this.forget(name, entry)));
    }
    for (const spec of wanted.values()) {
      const entry = this.entries.get(spec.name);
      if (!entry) {
        work.push(this.start(spec));
      } else if (sameLaunch(entry.spec, spec)) {
        entry.spec = spec; // timeouts may change without touching the process
      } else {
        entry.spec = spec;
        work.push(this.restart(spec.name));
      }
    }
    await Promise.all(work);
  }

  // At shutdown: stops every worker, in parallel.
  async stopAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((name) => this.stop(name)));
  }

  private addEntry(spec: ManagedWorkerSpec): Entry {
    const entry: Entry = { spec, worker: null, restarts: 0, lastExit: null, queue: Promise.resolve() };
    this.entries.set(spec.name, entry);
    return entry;
  }

  private forget(name: string, entry: Entry): void {
    if (this.entries.get(name) === entry && entry.worker === null) this.entries.delete(name);
  }

  private serialize(entry: Entry, operation: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
    const result = entry.queue.then(operation, operation);
    entry.queue = result.catch(() => undefined);
    return result;
  }

  private async startNow(entry: Entry, t0: number, label = `start ${entry.spec.name}`): Promise<ActionOutcome> {
    const { spec } = entry;
    if (entry.worker !== null) return outcome(label, 'already-running', t0, { pid: entry.worker.pid });
    if (!SAFE_NAME.test(spec.name)) return outcome(label, 'invalid-name', t0, {}, `${label}: worker name must match ${SAFE_NAME}`);
    const spawned = await spawnWorker({
      argv: spec.argv,
      ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
      // medic's own secrets (webhook URL, bot token, ...) never reach a worker's environment.
      env: childEnv({ ...spec.env, MEDIC_WORKER: spec.name }),
      now: this.now,
      maxLineLength: this.options.maxLineLength ?? 4096,
      onLine: (stream, line) => this.options.onOutput?.(spec.name, stream, line),
      onExit: (exit) => this.recordExit(entry, exit),
    });
    if (!spawned.ok) return outcome(label, 'spawn-failed', t0, {}, `${label} could not start: ${spawned.message}`);
    const { worker } = spawned;
    const details: Record<string, unknown> = { pid: worker.pid };
    // The worker may already have exited (crash-at-start) by the time 'spawn' resolved here.
    if (worker.exit === null) {
      entry.worker = worker;
      try {
        writePidFile(this.options.stateDir, spec.name, worker.pid);
      } catch (error) {
        // The worker runs; only `medic diagnose` in another process loses sight of it.
        details.pidFileError = (error as Error).message;
      }
    }
    this.emit('start', spec.name, worker.pid);
    return outcome(label, 'started', t0, details);
  }

  private recordExit(entry: Entry, exit: WorkerExit): void {
    if (entry.worker?.pid === exit.pid) entry.worker = null;
    try {
      removePidFile(this.options.stateDir, entry.spec.name, exit.pid);
    } catch {
      // A stale pid file names a dead pid; readers treat it as down. Never throw in an exit handler.
    }
    entry.lastExit = exit;
    this.emit('exit', entry.spec.name, exit);
  }

  private async stopNow(entry: Entry, t0: number, graceMs: number, killWaitMs: number): Promise<ActionOutcome> {
    const label = `stop ${entry.spec.name}`;
    const worker = entry.worker;
    if (worker === null) return outcome(label, 'not-running', t0);
    const gone = await worker.terminate(graceMs, killWaitMs);
    const details = { pid: worker.pid, code: worker.exit?.code ?? null, signal: worker.exit?.signal ?? null };
    if (!gone) return outcome(label, 'stop-failed', t0, details, `${label}: pid ${worker.pid} or its group still alive after SIGKILL`);
    return outcome(label, 'stopped', t0, details);
  }

  private async restartNow(entry: Entry): Promise<ActionOutcome> {
    const t0 = performance.now();
    const { spec } = entry;
    const label = `restart_worker ${spec.name}`;
    const oldPid = entry.worker?.pid ?? null;
    // Escalate to SIGKILL early enough that the new process still starts inside restartTimeoutMs.
    const reserveMs = Math.min(START_RESERVE_MS, spec.restartTimeoutMs / 5);
    const graceMs = Math.max(0, Math.min(spec.stopTimeoutMs, spec.restartTimeoutMs - reserveMs));
    const stopped = await this.stopNow(entry, t0, graceMs, reserveMs);
    if (stopped.status === 'stop-failed') {
      return { ...stopped, status: 'timed-out', timedOut: true, message: `${label} timed out after ${spec.restartTimeoutMs} ms; old process ${oldPid} would not die` };
    }
    const started = await this.startNow(entry, t0, label);
    if (!started.ok) return { ...started, details: { oldPid, newPid: null } };
    entry.restarts += 1;
    const newPid = started.details?.pid ?? null;
    const result = outcome(label, 'restarted', t0, { oldPid, newPid });
    return { ...result, message: `${describeOutcome(label, result)}; pid ${oldPid ?? 'none'} -> ${String(newPid)}` };
  }
}

function sameLaunch(a: ManagedWorkerSpec, b: ManagedWorkerSpec): boolean {
  const sortedEnv = (env: Record<string, string> | undefined): string => JSON.stringify(Object.entries(env ?? {}).sort(([x], [y]) => (x < y ? -1 : 1)));
  return JSON.stringify(a.argv) === JSON.stringify(b.argv) && a.cwd === b.cwd && sortedEnv(a.env) === sortedEnv(b.env);
}

const OK_STATUSES = new Set(['started', 'stopped', 'restarted', 'already-running', 'not-running']);

function outcome(label: string, status: string, t0: number, details: Record<string, unknown> = {}, message?: string): ActionOutcome {
  const ok = OK_STATUSES.has(status);
  const fields = { ok, status, timedOut: false, exitCode: null, signal: null, durationMs: Math.round(performance.now() - t0) };
  return { ...fields, message: message ?? (ok ? `${describeOutcome(label, fields)} (${status})` : describeOutcome(label, fields)), outputTail: '', details };
}

function noTarget(label: string): ActionOutcome {
  return outcome(label, 'no-target', performance.now(), {}, `${label}: no such managed worker`);
}
