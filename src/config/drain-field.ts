// A worker's `drain:`: how medic asks it to finish its in-flight job before restart_worker.
// Exactly one of signal, command or http, plus how long to wait (grace, default 30s).
import { constants } from 'node:os';
import { z } from 'zod';
import { parseDuration } from '../core/durations.js';
import type { DrainSpec } from '../core/types.js';
import { argvField, describeValue, durationField, textField } from './fields.js';

export const DEFAULT_DRAIN_GRACE_MS = parseDuration('30s')!;

/** Signals that end a process instead of asking it anything. */
const NOT_A_REQUEST = new Set(['SIGKILL', 'SIGSTOP']);

const signalField = z.unknown().transform((value, ctx): string => {
  const name = typeof value === 'string' ? (value.toUpperCase().startsWith('SIG') ? value.toUpperCase() : `SIG${value.toUpperCase()}`) : '';
  if (name in constants.signals && !NOT_A_REQUEST.has(name)) return name;
  const why = NOT_A_REQUEST.has(name) ? `${name} cannot be handled by the worker, so it cannot drain` : `expected a signal name like "SIGUSR1" or "SIGTERM", got ${describeValue(value)}`;
  ctx.addIssue({ code: 'custom', input: value, message: why });
  return z.NEVER;
});

const httpField = textField.superRefine((url, ctx) => {
  if (/^https?:\/\/[^/\s]+/.test(url)) return;
  ctx.addIssue({ code: 'custom', input: url, message: `expected an http:// or https:// URL, got ${describeValue(url)}` });
});

export const drainField = z
  .strictObject(
    {
      signal: signalField.optional(),
      command: argvField.optional(),
      http: httpField.optional(),
      grace: durationField({ example: '30s' }).default(DEFAULT_DRAIN_GRACE_MS),
    },
    { error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected a mapping like { signal: SIGUSR1, grace: 30s }, got ${describeValue(issue.input)}` : undefined) },
  )
  .superRefine((drain, ctx) => {
    const kinds = (['signal', 'command', 'http'] as const).filter((key) => drain[key] !== undefined);
    if (kinds.length === 0) ctx.addIssue({ code: 'custom', message: 'drain needs one of signal (e.g. SIGUSR1), command ([argv]) or http (a URL to POST to)' });
    if (kinds.length > 1) ctx.addIssue({ code: 'custom', path: [kinds[1]!], message: `drain takes exactly one of signal, command or http; found ${kinds.join(' and ')}`, params: { at: 'key' } });
  });

export type DrainInput = z.output<typeof drainField>;

export function buildDrainSpec(input: DrainInput): DrainSpec {
  const graceMs = input.grace;
  if (input.signal !== undefined) return { graceMs, kind: 'signal', signal: input.signal };
  if (input.command !== undefined) return { graceMs, kind: 'command', argv: input.command };
  return { graceMs, kind: 'http', url: input.http! };
}
