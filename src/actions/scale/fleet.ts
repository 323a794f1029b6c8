// A fleet medic does not run itself (a Kubernetes deployment, a cloud instance group): its count
// is set by a command holding `{replicas}` or an HTTP call with `{ "replicas": N }`, and read,
// when the operator gives one, by a command that prints it.
import type { FleetTarget } from '../../core/action-specs.js';
import type { ActionOutcome } from '../../core/types.js';
import { callHttp } from '../http-call.js';
import { runCommand } from '../run-command.js';

/** `{replicas}` replaced inside each argument; an argument never splits into more. */
export function replicasArgv(command: readonly string[], count: number): string[] {
  return command.map((arg) => arg.replaceAll('{replicas}', String(count)));
}

export async function setFleetCount(fleet: FleetTarget, count: number, timeoutMs: number): Promise<ActionOutcome> {
  if (fleet.command) return runCommand(replicasArgv(fleet.command, count), { timeoutMs, name: 'scale command' });
  return callHttp(fleet.http!, { replicas: count }, { timeoutMs, name: 'scale http' });
}

/** The count the current_command prints (its last non-empty line, a whole number). */
export async function readFleetCount(command: readonly string[], timeoutMs: number): Promise<{ count: number } | { error: string }> {
  const outcome = await runCommand([...command], { timeoutMs, name: 'current_command' });
  if (!outcome.ok) return { error: outcome.message };
  const last = outcome.outputTail.split('\n').map((line) => line.trim()).filter((line) => line !== '').at(-1) ?? '';
  // jsonpath output may come quoted: '3' or "3".
  const text = last.replace(/^['"]|['"]$/g, '');
  return /^\d+$/.test(text) ? { count: Number(text) } : { error: `current_command printed ${JSON.stringify(last.slice(0, 80))}, not a whole number` };
}
