// Dry run (`medic run --dry-run`, or `dry_run: true` on a rule): the engine runs as usual, and what
// it decides is journaled as "would have" instead of done. An action gets its row (status
// 'dry-run') and an ok outcome goes back to the engine, so the ladder proceeds as if it worked.
import type { ActionOutcome, ActionSpec, Rule } from '../core/types.js';
import type { Journal } from '../journal/journal.js';

export const DRY_RUN_STATUS = 'dry-run';

export function isDryRun(rule: Rule, global: boolean | undefined): boolean {
  return global === true || rule.dryRun === true;
}

export function dryRunOutcome(description: string): ActionOutcome {
  return { ok: true, status: DRY_RUN_STATUS, timedOut: false, exitCode: null, signal: null, durationMs: 0, message: `dry run: would have run ${description}; not executed`, outputTail: '' };
}

export interface DryAction {
  incidentId: number | null;
  rule: string;
  step: number;
  attempt: number;
  action: ActionSpec;
  target: string | null;
  description: string;
  at: number;
}

/** Journals the action as started and finished with status 'dry-run'; nothing runs. */
export function journalDryAction(journal: Journal, a: DryAction): ActionOutcome {
  const outcome = dryRunOutcome(a.description);
  const id = journal.startAction({ incidentId: a.incidentId, rule: a.rule, step: a.step, attempt: a.attempt, type: a.action.type, target: a.target, description: a.description, at: a.at });
  journal.finishAction(id, outcome, a.at);
  return outcome;
}

export function journalWouldFire(journal: Journal, rule: Rule, incidentId: number | null, at: number): void {
  journal.event({ at, kind: 'would-fire', rule: rule.name, incidentId, message: `dry run: rule ${rule.name} fired (${rule.whenText}); it would act now`, data: { dryRun: true } });
}

export function journalWouldPage(journal: Journal, rule: Rule, incidentId: number | null, at: number, reason: string, detail: string): void {
  journal.event({ at, kind: 'would-page', rule: rule.name, incidentId, message: `dry run: would have paged on-call (${reason}): ${detail}`, data: { dryRun: true, reason } });
}
