// When medic undoes what a rule's throttle and scale_out steps did: once the rule has been ok
// (condition known clear, incident resolved) for its restore_after. The engine already keeps
// `clearSince`, set when the rule resolves and cleared whenever the condition turns true again,
// so the hysteresis needs no new engine state: one good sample never restores anything. Pure.
import type { Rule, RuleState } from './types.js';

export const DEFAULT_RESTORE_AFTER_MS = 2 * 60_000;

export function restoreAfterMs(rule: Rule): number {
  return rule.restoreAfterMs ?? DEFAULT_RESTORE_AFTER_MS;
}

/**
 * A rule that no longer exists (removed on reload) is due at once: nothing else would ever undo it.
 * A rule with no condition (it runs on a schedule only) never turns ok by itself: its throttles
 * and scale-outs are undone restore_after after the last of them (`grantedAt`).
 */
export function isRestoreDue(rule: Rule | undefined, state: RuleState | undefined, at: number, grantedAt?: number): boolean {
  if (rule === undefined || state === undefined) return true;
  if (rule.when === undefined) return grantedAt !== undefined && at - grantedAt >= restoreAfterMs(rule);
  return state.kind === 'ok' && state.clearSince !== null && at - state.clearSince >= restoreAfterMs(rule);
}
