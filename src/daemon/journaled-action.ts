// The one path by which medic carries out an action, for ladder steps and scheduled runs alike:
// the row is journaled before the action runs (a kill -9 from then on leaves a 'running' row that
// the next start marks interrupted), its target is busy while it runs, and the outcome is journaled
// after. Once medic is stopping, the outcome is not journaled: shutdown killed the action, and the
// next start marks the row interrupted, as after a kill -9, instead of recording a failure.
import { actionTarget } from '../core/evaluate-rule.js';
import type { ActionOutcome, ActionSpec } from '../core/types.js';
import type { Journal } from '../journal/journal.js';
import type { Logger } from './logger.js';

export interface JournaledActionDeps {
  journal: Journal;
  /** Targets with an action running; shared with the engine, which will not act on a busy one. */
  busyTargets: Set<string>;
  now: () => number;
  /** True once medic has begun to stop. */
  stopping: () => boolean;
}

export interface JournaledAction {
  incidentId: number | null;
  rule: string;
  /** 0-based ladder step, as journaled. */
  step: number;
  attempt: number;
  action: ActionSpec;
  description: string;
  at: number;
  log: Logger;
  /** Logged once the row is written: `rule r: step 1 attempt 1: restart_worker w`. */
  startMessage: string;
  /** A ladder step warns (something is wrong); a scheduled run is routine. */
  startLevel: 'info' | 'warn';
  /** Goes before the outcome's message in the log: `rule r: `. */
  outcomePrefix: string;
}

/**
 * Journals, runs and finishes one action. Returns its outcome, or null when medic began to stop
 * while it ran (the row stays 'running'). A throw from `run` leaves the row 'running' too.
 */
export async function runJournaledAction(deps: JournaledActionDeps, a: JournaledAction, run: () => Promise<ActionOutcome>): Promise<ActionOutcome | null> {
  const target = actionTarget(a.action);
  const actionId = deps.journal.startAction({ incidentId: a.incidentId, rule: a.rule, step: a.step, attempt: a.attempt, type: a.action.type, target, description: a.description, at: a.at });
  a.log[a.startLevel](a.startMessage);
  if (target !== null) deps.busyTargets.add(target);
  try {
    const outcome = await run();
    if (deps.stopping()) return null;
    deps.journal.finishAction(actionId, outcome, deps.now());
    (outcome.ok ? a.log.info : a.log.error).call(a.log, `${a.outcomePrefix}${outcome.message}`);
    return outcome;
  } finally {
    if (target !== null) deps.busyTargets.delete(target);
  }
}
