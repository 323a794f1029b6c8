// ActionOutcome for the actions that run no process of their own (file actions, the throttle and
// scale books): no exit code, signal or output; timed out exactly when the status says so.
import type { ActionOutcome } from '../core/types.js';

export function buildPlainOutcome(fields: { ok: boolean; status: string; durationMs: number; message: string; details: Record<string, unknown> }): ActionOutcome {
  return {
    ok: fields.ok,
    status: fields.status,
    timedOut: fields.status === 'timed-out',
    exitCode: null,
    signal: null,
    durationMs: fields.durationMs,
    message: fields.message,
    outputTail: '',
    details: fields.details,
  };
}
