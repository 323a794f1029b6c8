// What the file actions share: outcomes that never reject, spec checks, a cap on listed paths.
import type { ActionOutcome } from '../../core/types.js';
import { buildPlainOutcome } from '../plain-outcome.js';

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
    return buildPlainOutcome({ ok: false, status: 'failed', durationMs: now() - startedAt, message: `${action} failed: ${reason}`, details: {} });
  }
}

/** Checks an optional duration/size field: absent, or a finite number >= 0. */
export function checkOptionalAmount(spec: object, field: string): string | null {
  const value = (spec as Record<string, unknown>)[field];
  if (value === undefined) return null;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? null : `${field} must be a number >= 0, got ${JSON.stringify(value)}`;
}

/** Paths in details are capped so a journal row stays small. */
export const MAX_LISTED_PATHS = 100;
