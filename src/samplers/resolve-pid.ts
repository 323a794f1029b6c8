// Finding a worker's pid: from a pid file (command mode) or from systemd's MainPID (systemd mode).
import { readFileSync } from 'node:fs';
import { runInGroup } from '../os/run-in-group.js';
import { describeError, isNotFound } from './describe-error.js';

/** Linux's largest possible pid_max (2^22). */
const MAX_PID = 4_194_304;

export function readPidFile(path: string): { pid: number } | { error: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { error: isNotFound(error) ? `pid file ${path} does not exist` : `pid file ${path}: ${describeError(error)}` };
  }
  const pid = parsePid(text);
  return pid === null || pid === 0 ? { error: `pid file ${path} does not hold a pid: ${quoteStart(text)}` } : { pid };
}

export interface ResolveSystemdPidOptions {
  /** The systemctl binary. Defaults to `systemctl` on PATH. */
  systemctl?: string;
  /** How long systemctl may take before it is killed. Defaults to 5000 ms. */
  timeoutMs?: number;
}

// MainPID 0 means the unit has no running main process: the worker is down, not unknown.
export async function resolveSystemdPid(unit: string, options: ResolveSystemdPidOptions = {}): Promise<{ pid: number | null } | { error: string }> {
  const systemctl = options.systemctl ?? 'systemctl';
  const timeoutMs = options.timeoutMs ?? 5000;
  // medic's one runner: its own group, killed whole at the timeout, no medic secrets in its environment.
  const result = await runInGroup([systemctl, 'show', '--property=MainPID', '--value', '--', unit], { timeoutMs, killGraceMs: 1000, waitForGroup: false, maxOutputBytes: 64 * 1024 });
  const what = `systemctl show ${unit}`;
  if (result.stopReason !== null) return { error: `${what} timed out after ${timeoutMs} ms` };
  if (result.spawnError) return { error: `${what} could not start: ${result.spawnError.message}` };
  if (result.exitCode !== 0) {
    const detail = summarizeOutput(result.stderr) || summarizeOutput(result.stdout);
    const end = result.exitCode !== null ? `exited with code ${result.exitCode}` : `was killed by ${result.signal ?? 'a signal'}`;
    return { error: `${what} ${end}${detail ? `: ${detail}` : ''}` };
  }
  const pid = parsePid(result.stdout);
  if (pid === null) return { error: `${what} printed no MainPID: ${quoteStart(result.stdout)}` };
  return { pid: pid === 0 ? null : pid };
}

function parsePid(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d{1,7}$/.test(trimmed)) return null;
  const pid = Number(trimmed);
  return pid <= MAX_PID ? pid : null;
}

function quoteStart(text: string): string {
  const start = text.trim().slice(0, 40);
  return text.trim().length === 0 ? 'it is empty' : JSON.stringify(start + (text.trim().length > 40 ? '…' : ''));
}

/** The output's lines on one line, at most 300 characters, for an error reason. */
function summarizeOutput(text: string): string {
  const joined = text.trim().split('\n').map((line) => line.trim()).filter(Boolean).join('; ');
  return joined.length > 300 ? `${joined.slice(0, 300)}…` : joined;
}
