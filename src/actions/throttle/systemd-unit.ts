// Throttling a systemd worker through systemctl, as argv (no shell): a runtime CPUQuota that the
// next reboot forgets, and SIGSTOP/SIGCONT to every process of the unit.
import type { ActionOutcome } from '../../core/types.js';
import { runCommand } from '../run-command.js';

const NO_SYSTEMD = /System has not been booted with systemd|Failed to connect to bus/;

/** `systemctl set-property --runtime UNIT CPUQuota=50%`; null lifts the quota (`CPUQuota=`). */
export function cpuQuotaArgv(systemctl: string, unit: string, pct: number | null): string[] {
  return [systemctl, 'set-property', '--runtime', unit, pct === null ? 'CPUQuota=' : `CPUQuota=${formatPct(pct)}%`];
}

/** `systemctl kill --kill-whom=all --signal=SIGSTOP UNIT`. */
export function signalUnitArgv(systemctl: string, unit: string, signal: 'SIGSTOP' | 'SIGCONT'): string[] {
  return [systemctl, 'kill', '--kill-whom=all', `--signal=${signal}`, unit];
}

export async function runSystemctl(argv: string[], timeoutMs: number): Promise<{ ok: boolean; problem: string }> {
  const outcome: ActionOutcome = await runCommand(argv, { timeoutMs, name: 'systemctl' });
  if (outcome.ok) return { ok: true, problem: '' };
  if (NO_SYSTEMD.test(outcome.outputTail)) return { ok: false, problem: `systemd is not running on this host (not PID 1); ${argv.slice(1).join(' ')} failed` };
  return { ok: false, problem: `${argv.slice(1).join(' ')}: ${outcome.message}` };
}

function formatPct(pct: number): string {
  return Number.isInteger(pct) ? String(pct) : pct.toFixed(2).replace(/0+$/, '');
}
