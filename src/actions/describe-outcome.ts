// Human summaries of an ActionOutcome, built only from its fields (execa's getErrorPrefix):
// `exec timed out after 30000 ms; killed with SIGKILL`, `exec exited with code 3`, `exec ok in 12 ms`.
import type { ActionOutcome } from '../core/types.js';

export type OutcomeFields = Pick<ActionOutcome, 'ok' | 'timedOut' | 'exitCode' | 'signal' | 'durationMs' | 'status'>;

export function describeOutcome(name: string, o: OutcomeFields, timeoutMs?: number): string {
  if (o.timedOut) return `${name} timed out after ${Math.round(timeoutMs ?? o.durationMs)} ms${describeEnd(o)}`;
  if (o.status === 'aborted') return `${name} was stopped before it finished${describeEnd(o)}`;
  if (o.status === 'spawn-failed') return `${name} could not start`;
  if (o.ok) return `${name} ok in ${Math.round(o.durationMs)} ms`;
  if (o.signal !== null) return `${name} was killed by ${o.signal}`;
  if (o.exitCode !== null) return `${name} exited with code ${o.exitCode}`;
  return `${name} failed (${o.status})`;
}

/** How a process that medic had to stop came to an end. */
function describeEnd(o: OutcomeFields): string {
  if (o.signal !== null) return `; killed with ${o.signal}`;
  if (o.exitCode !== null) return `; exited with code ${o.exitCode} after SIGTERM`;
  return '; still running after SIGKILL';
}

const SPAWN_ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied (is it executable?)',
  ENOEXEC: 'not an executable format',
  E2BIG: 'argument list too long',
};

/** `could not start /usr/bin/x: ENOENT (no such file or directory)`: names the program, never the environment. */
export function describeSpawnError(name: string, program: string, code: string | undefined): string {
  const word = code ?? 'unknown error';
  const hint = code === undefined ? undefined : SPAWN_ERRORS[code];
  return `${name} could not start ${JSON.stringify(program)}: ${word}${hint ? ` (${hint})` : ''}`;
}

/** Last non-empty line of a command's output, to say why it failed; bounded so messages stay short. */
export function lastOutputLine(outputTail: string, maxChars = 200): string | undefined {
  const lines = outputTail.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const last = lines.at(-1);
  if (last === undefined) return undefined;
  return last.length > maxChars ? `${last.slice(0, maxChars)}…` : last;
}
