// Dry run (`medic run --dry-run`, or `dry_run: true` on a rule): the engine runs as usual, and what
// it decides is journaled as "would have" instead of done. Actions with a dry form (clear_cache,
// archive_files, throttle, scale_out/in) are run with `dryRun: true`: they work out what they
// would do (files and bytes to free, level or replicas before and after) and change nothing; their
// row keeps those numbers. restart_worker and exec have no safe dry form: they are only described.
// Either way the row goes through the same journaled path as a real action, with status 'dry-run',
// and the outcome goes back to the engine: the predicted ok (or failure) of a dry form, ok for the
// rest, so the ladder proceeds as if it had worked.
import type { ActionOutcome, ActionSpec, Rule } from '../core/types.js';
import type { JournalWrites } from './safe-journal.js';

export const DRY_RUN_STATUS = 'dry-run';

export function isDryRun(rule: Rule, global: boolean | undefined): boolean {
  return global === true || rule.dryRun === true;
}

/** Actions whose `dryRun` only reads (files, throttle and scale books, a fleet's current_command). */
export function hasDryForm(action: ActionSpec): boolean {
  return action.type !== 'restart_worker' && action.type !== 'exec';
}

/**
 * What the action path (journaled-action.ts) runs for an action in dry-run mode: its dry form
 * (`runDryForm` calls runAction with `dryRun: true`), or for restart_worker and exec nothing at
 * all. Either way an outcome with status 'dry-run' and "would have run" wording comes back.
 */
export async function runDry(action: ActionSpec, description: string, runDryForm: () => Promise<ActionOutcome>): Promise<ActionOutcome> {
  if (!hasDryForm(action)) {
    return { ok: true, status: DRY_RUN_STATUS, timedOut: false, exitCode: null, signal: null, durationMs: 0, message: `dry run: would have run ${description}; not executed`, outputTail: '' };
  }
  // The action's own prediction, kept as it said it (`wouldStatus`, its details), under status 'dry-run'.
  const predicted = await runDryForm();
  const details = { ...predicted.details, dryRun: true, wouldStatus: predicted.status };
  return { ...predicted, status: DRY_RUN_STATUS, message: `dry run: would have run ${description}: ${predicted.message}`, details };
}

export function journalWouldFire(journal: Pick<JournalWrites, 'event'>, rule: Rule, incidentId: number | null, at: number): void {
  journal.event({ at, kind: 'would-fire', rule: rule.name, incidentId, message: `dry run: rule ${rule.name} fired (${rule.whenText}); it would act now`, data: { dryRun: true } });
}

export function journalWouldPage(journal: Pick<JournalWrites, 'event'>, rule: Rule, incidentId: number | null, at: number, reason: string, detail: string): void {
  journal.event({ at, kind: 'would-page', rule: rule.name, incidentId, message: `dry run: would have paged on-call (${reason}): ${detail}`, data: { dryRun: true, reason } });
}
