// The one path by which medic carries out an action, for ladder steps and scheduled runs alike:
// the row is journaled before the action runs (a kill -9 from then on leaves a 'running' row that
// the next start marks interrupted), its target is busy while it runs, and the outcome is journaled
// after. Once medic is stopping, the outcome is not journaled: shutdown killed the action, and the
// next start marks the row interrupted, as after a kill -9, instead of recording a failure.
import { actionTarget } from '../core/evaluate-rule.js';
import { runAsAction } from '../actions/command-owner.js';
import type { ActionOutcome, ActionSpec } from '../core/types.js';
import type { Logger } from './logger.js';
import type { JournalWrites } from './safe-journal.js';

export interface JournaledActionDeps {
  /** The daemon's SafeJournal: a start it could not journal (null id) still runs the action. */
  journal: JournalWrites;
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
    // Each command the action runs is marked with its id and its process group journaled (command-owner.ts).
    // No id when the journal could not be written (safe-journal.ts): nothing to mark or find after a kill -9 then.
    const outcome = await (actionId === null ? run() : runAsAction({ actionId, onSpawn: (pgid) => recordProcess(deps, a, actionId, pgid) }, run));
    if (deps.stopping()) return null;
    deps.journal.finishAction(actionId, outcome, deps.now());
    (outcome.ok ? a.log.info : a.log.error).call(a.log, `${a.outcomePrefix}${outcome.message}`);
    return outcome;
  } finally {
    if (target !== null) deps.busyTargets.delete(target);
  }
}

function recordProcess(deps: JournaledActionDeps, a: JournaledAction, actionId: number, pgid: number): void {
  try {
    deps.journal.recordActionProcess(actionId, pgid);
  } catch (error) {
    // The command runs anyway; only a kill -9 of medic now would leave it unended.
    a.log.warn(`rule ${a.rule}: could not journal process group ${pgid} of action #${actionId}: ${(error as Error).message}`);
  }
}
