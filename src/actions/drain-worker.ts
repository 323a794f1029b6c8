// Before restart_worker: ask the worker to finish its in-flight job and wait up to the grace
// period. A signal is answered by the worker exiting; a command or HTTP call by returning. Either
// way the restart follows; the result only says whether the worker drained or was cut off.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatDuration } from '../core/durations.js';
import type { DrainSpec, WorkerSpec } from '../core/types.js';
import { waitUntil } from '../os/process-group.js';
import { checkPidFromFile } from '../os/pid-guard.js';
import { isProcessAlive } from '../os/process-info.js';
import type { Supervisor } from '../supervisor/supervisor.js';
import { runCommand } from './run-command.js';

/** drained: it finished in time; cut-off: the grace ran out; not-running: nothing to drain; failed: the request itself failed. */
export type DrainStatus = 'drained' | 'cut-off' | 'not-running' | 'failed';

export interface DrainResult {
  status: DrainStatus;
  /** For the journal and the log: `drained in 1.2s`, `cut off after 30s`, `drain command failed: ...`. */
  summary: string;
  durationMs: number;
  /** The process asked to drain, when medic knew it. */
  pid?: number;
}

export interface DrainDeps {
  supervisor: Supervisor;
  /** Program for systemd workers. Defaults to 'systemctl'. */
  systemctl?: string;
}

const PID_LOOKUP_TIMEOUT_MS = 5000;
const POLL_MS = 50;

export async function drainWorker(spec: WorkerSpec, drain: DrainSpec, deps: DrainDeps): Promise<DrainResult> {
  const t0 = performance.now();
  const result = await requestDrain(spec, drain, deps);
  const durationMs = Math.round(performance.now() - t0);
  const summary =
    result.status === 'drained' ? `drained in ${formatDuration(durationMs)}`
    : result.status === 'cut-off' ? `cut off after ${formatDuration(drain.graceMs)}`
    : result.summary;
  return { ...result, summary, durationMs };
}

type Requested = Omit<DrainResult, 'durationMs' | 'summary'> & { summary: string };

async function requestDrain(spec: WorkerSpec, drain: DrainSpec, deps: DrainDeps): Promise<Requested> {
  switch (drain.kind) {
    case 'signal':
      return signalAndWait(spec, drain.signal as NodeJS.Signals, drain.graceMs, deps);
    case 'command': {
      const outcome = await runCommand(drain.argv, { timeoutMs: drain.graceMs, env: { MEDIC_WORKER: spec.name }, name: 'drain command' });
      if (outcome.ok) return { status: 'drained', summary: '' };
      return outcome.timedOut ? { status: 'cut-off', summary: '' } : { status: 'failed', summary: `drain failed: ${outcome.message}` };
    }
    case 'http':
      return postDrain(drain.url, drain.graceMs);
  }
}

async function signalAndWait(spec: WorkerSpec, signal: NodeJS.Signals, graceMs: number, deps: DrainDeps): Promise<Requested> {
  if (spec.mode === 'managed') {
    const { pid, exited } = await deps.supervisor.drain(spec.name, signal, graceMs);
    if (pid === null) return { status: 'not-running', summary: 'not running, nothing to drain' };
    return { status: exited ? 'drained' : 'cut-off', summary: '', pid };
  }
  const found = spec.mode === 'command' ? readPid(spec.pidFile) : await readSystemdPid(spec.unit, deps.systemctl);
  if (typeof found === 'object') return { status: 'failed', summary: `drain refused: ${found.refused}` };
  if (typeof found === 'string') return { status: 'not-running', summary: found };
  if (spec.mode === 'systemd') {
    // systemctl, not kill(2): the unit may run under another user, and systemd knows its main process.
    const sent = await runCommand([deps.systemctl ?? 'systemctl', 'kill', '--kill-whom=main', `--signal=${signal}`, '--', spec.unit], { timeoutMs: PID_LOOKUP_TIMEOUT_MS });
    if (!sent.ok) return { status: 'failed', summary: `drain failed: ${sent.message}`, pid: found };
  } else {
    try {
      process.kill(found, signal);
    } catch (error) {
      return { status: 'failed', summary: `drain failed: cannot signal pid ${found}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, pid: found };
    }
  }
  const exited = await waitUntil(() => !isProcessAlive(found), graceMs, POLL_MS);
  return { status: exited ? 'drained' : 'cut-off', summary: '', pid: found };
}

/** The pid to signal; a string when nothing runs; `refused` when the pid file names a process medic must not signal. */
function readPid(pidFile: string | undefined): number | string | { refused: string } {
  if (pidFile === undefined) return 'no pid_file, so no process to signal';
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return `not running (no pid file ${pidFile})`;
  }
  if (!Number.isInteger(pid) || pid <= 0 || (pid > 1 && !isProcessAlive(pid))) return `not running (pid file ${pidFile})`;
  // The file may be the worker's to write, and its pid may have been reused since.
  const checked = checkPidFromFile(pid, pidFile);
  return checked.ok ? checked.pid : { refused: checked.reason };
}

async function readSystemdPid(unit: string, systemctl = 'systemctl'): Promise<number | string> {
  const outcome = await runCommand([systemctl, 'show', '--property=MainPID', '--value', '--', unit], { timeoutMs: PID_LOOKUP_TIMEOUT_MS });
  const pid = Number(outcome.outputTail.trim());
  if (!outcome.ok) return `no main pid for ${unit}: ${outcome.message}`;
  return Number.isInteger(pid) && pid > 1 ? pid : `${unit} has no running main process`;
}

async function postDrain(url: string, graceMs: number): Promise<Requested> {
  const where = describeUrl(url);
  try {
    const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(graceMs) });
    await response.body?.cancel();
    if (response.ok) return { status: 'drained', summary: '' };
    return { status: 'failed', summary: `drain failed: POST ${where} answered ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { status: 'cut-off', summary: '' };
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    return { status: 'failed', summary: `drain failed: POST ${where}: ${cause}` };
  }
}

/** Origin and path only: a query string or user:password may hold a token. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return 'the drain URL';
  }
}
