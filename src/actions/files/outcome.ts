// ActionOutcome for the file actions: no process, so no exit code, signal or output.
import type { ActionOutcome } from '../../core/types.js';

export function buildFileOutcome(fields: { ok: boolean; status: string; durationMs: number; message: string; details: Record<string, unknown> }): ActionOutcome {
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

/**
 * Runs a file action and turns an unexpected throw (a folder vanishing mid-run, statfs failing)
 * into a failed outcome: adapters return outcomes, they do not reject.
 */
export async function settleFileAction(action: string, now: () => number, run: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  const startedAt = now();
  try {
    return await run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return buildFileOutcome({ ok: false, status: 'failed', durationMs: now() - startedAt, message: `${action} failed: ${reason}`, details: {} });
  }
}

/** `1.5 MiB`, `512 B`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Checks an optional duration/size field: absent, or a finite number >= 0. */
export function checkOptionalAmount(spec: object, field: string): string | null {
  const value = (spec as Record<string, unknown>)[field];
  if (value === undefined) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? null : `${field} must be a number >= 0, got ${JSON.stringify(value)}`;
}

/** Paths in details are capped so a journal row stays small. */
export const MAX_LISTED_PATHS = 100;
