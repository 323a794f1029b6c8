// What the daemon keeps per rule between ticks: the engine's state plus the journal's incident id.
// Saved to the journal after every tick, restored after a short outage only (a state from last
// week would be a lie about now).
import { initialRuleState } from '../core/evaluate-rule.js';
import type { ActionOutcome, Rule, RuleState } from '../core/types.js';
import type { Journal } from '../journal/journal.js';

export interface RuleRuntime {
  state: RuleState;
  incidentId: number | null;
  /** Outcome of the rule's action that finished since the last tick. */
  outcome?: ActionOutcome;
}

/** Older saved states are dropped: after a long outage medic starts every rule fresh. */
export const RESTORE_TOLERANCE_MS = 10 * 60_000;

export function restoreRuleRuntimes(journal: Journal, rules: Rule[], at: number): Map<string, RuleRuntime> {
  const saved = new Map(journal.loadRuleStates().map((row) => [row.rule, row]));
  const runtimes = new Map<string, RuleRuntime>();
  for (const rule of rules) {
    const row = saved.get(rule.name);
    if (!row || at - row.savedAt > RESTORE_TOLERANCE_MS) {
      runtimes.set(rule.name, { state: initialRuleState(), incidentId: null });
      continue;
    }
    const state = row.state as RuleState;
    const runtime: RuleRuntime = { state, incidentId: row.incidentId };
    // The action was cut off by medic's own death: it counts as a step that did not help.
    if (state.kind === 'acting') runtime.outcome = interruptedOutcome();
    runtimes.set(rule.name, runtime);
  }
  return runtimes;
}

/** Keeps the state of rules that survived a reload; new rules start fresh, removed ones go. */
export function carryRuleRuntimes(previous: Map<string, RuleRuntime>, rules: Rule[]): Map<string, RuleRuntime> {
  return new Map(rules.map((rule) => [rule.name, previous.get(rule.name) ?? { state: initialRuleState(), incidentId: null }]));
}

export function interruptedOutcome(): ActionOutcome {
  return {
    ok: false,
    status: 'interrupted',
    timedOut: false,
    exitCode: null,
    signal: null,
    durationMs: 0,
    message: 'medic stopped while this action ran',
    outputTail: '',
  };
}
