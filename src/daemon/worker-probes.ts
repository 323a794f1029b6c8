// Where each worker's pid comes from: medic's own children (the supervisor), systemd's MainPID,
// or a pid file. The samplers only ever see the resulting WorkerProbe list.
import type { WorkerSpec } from '../core/types.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { readPidFile, resolveSystemdPid } from '../samplers/resolve-pid.js';
import type { WorkerProbe } from '../samplers/worker.js';

export interface ProbeSources {
  supervisor?: Supervisor;
  /** Restart counts of workers medic does not start itself, kept by the daemon. */
  restarts?: ReadonlyMap<string, number>;
  /** Where to look for the pid files of managed workers when no supervisor runs here (diagnose). */
  readManagedPid?: (name: string) => number | null;
}

export async function probeWorkers(workers: Iterable<WorkerSpec>, sources: ProbeSources): Promise<WorkerProbe[]> {
  return Promise.all([...workers].map((spec) => probeWorker(spec, sources)));
}

async function probeWorker(spec: WorkerSpec, sources: ProbeSources): Promise<WorkerProbe> {
  const base = {
    name: spec.name,
    restarts: sources.restarts?.get(spec.name) ?? 0,
    ...(spec.heartbeat ? { heartbeatFile: spec.heartbeat.file } : {}),
    ...(spec.health ? { health: spec.health } : {}),
  };
  switch (spec.mode) {
    case 'managed': {
      const status = sources.supervisor?.status(spec.name);
      if (status) return { ...base, pid: status.up ? status.pid : null, restarts: status.restarts };
      if (!sources.readManagedPid) return { ...base, pid: null, pidError: 'not started by this medic' };
      // No pid file: no medic is running the worker, so it is down.
      return { ...base, pid: sources.readManagedPid(spec.name) };
    }
    case 'systemd': {
      const found = await resolveSystemdPid(spec.unit, { timeoutMs: 2000 });
      return 'error' in found ? { ...base, pid: null, pidError: found.error } : { ...base, pid: found.pid };
    }
    case 'command': {
      if (!spec.pidFile) return { ...base, pid: null, pidError: 'no pid_file configured' };
      const found = readPidFile(spec.pidFile);
      return 'error' in found ? { ...base, pid: null, pidError: found.error } : { ...base, pid: found.pid };
    }
  }
}
