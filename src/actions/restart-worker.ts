// restart_worker: one verb for three kinds of worker. Managed workers go through the supervisor;
// systemd and command workers run one command under runCommand's tree-killing timeout.
import type { ActionOutcome, WorkerSpec } from '../core/types.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { runCommand } from './run-command.js';
import { drainWorker, type DrainResult } from './drain-worker.js';

export interface RestartWorkerDeps {
  supervisor: Supervisor;
  /** Program run for systemd workers, as `[systemctl, 'restart', unit]`. Defaults to 'systemctl' (found on PATH). */
  systemctl?: string;
}

// Drains the worker first when it has a `drain:` (up to its grace), then restarts it; the outcome's
// details say how the drain went (drained: true, or drain: 'cut off after 30s').
export async function restartWorker(spec: WorkerSpec, deps: RestartWorkerDeps): Promise<ActionOutcome> {
  if (!spec.drain) return restartNow(spec, deps);
  const drain = await drainWorker(spec, spec.drain, deps);
  return withDrain(await restartNow(spec, deps), drain);
}

function withDrain(outcome: ActionOutcome, drain: DrainResult): ActionOutcome {
  const details = { ...outcome.details, drained: drain.status === 'drained', drain: drain.summary, drainMs: drain.durationMs, ...(drain.pid !== undefined ? { drainedPid: drain.pid } : {}) };
  return { ...outcome, durationMs: outcome.durationMs + drain.durationMs, message: `${outcome.message} (${drain.summary})`, details };
}

// Restarts the worker the way its mode says; the whole restart is bounded by spec.restartTimeoutMs.
async function restartNow(spec: WorkerSpec, deps: RestartWorkerDeps): Promise<ActionOutcome> {
  const label = `restart_worker ${spec.name}`;
  switch (spec.mode) {
    case 'managed':
      // A managed worker the supervisor has never seen (its start failed at boot) is started.
      return deps.supervisor.status(spec.name) === undefined ? deps.supervisor.start(spec) : deps.supervisor.restart(spec.name);
    case 'systemd': {
      if (spec.unit === '' || spec.unit.startsWith('-')) return invalidTarget(label, `unit ${JSON.stringify(spec.unit)} is not a unit name`);
      const argv = [deps.systemctl ?? 'systemctl', 'restart', spec.unit];
      const outcome = await runCommand(argv, { timeoutMs: spec.restartTimeoutMs });
      // In containers systemctl's useful line comes first and a vaguer "Failed to connect to bus" last.
      if (!outcome.ok && NO_SYSTEMD.test(outcome.outputTail)) {
        return { ...outcome, status: 'no-systemd', message: `${label}: systemd is not running on this host (not PID 1); systemctl cannot restart ${spec.unit}` };
      }
      return prefixMessage(label, outcome);
    }
    case 'command':
      return prefixMessage(label, await runCommand(spec.restartArgv, { timeoutMs: spec.restartTimeoutMs }));
  }
}

const NO_SYSTEMD = /System has not been booted with systemd/;

function prefixMessage(label: string, outcome: ActionOutcome): ActionOutcome {
  return { ...outcome, message: `${label}: ${outcome.message}` };
}

function invalidTarget(label: string, why: string): ActionOutcome {
  return { ok: false, status: 'invalid-target', timedOut: false, exitCode: null, signal: null, durationMs: 0, message: `${label}: ${why}`, outputTail: '' };
}
