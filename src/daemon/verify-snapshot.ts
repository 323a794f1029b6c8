// GPU and queue metrics are read in the background, on their own beat, so the tick right after an
// action may still carry a queue depth read before the action drained it. Judging the action on
// that read would call a good action useless and escalate. While a rule verifies its action, its
// condition sees only reads that began after the action ended; older ones are unknown, which the
// engine treats as "keep verifying" until the deadline.
import { conditionMetrics } from '../core/evaluate-condition.js';
import type { Rule, RuleState, Snapshot } from '../core/types.js';
import type { SampledSnapshot } from '../samplers/sampling-scheduler.js';

/** `snapshot` may carry SampledSnapshot's `readAt` (kept through `{ ...snapshot }` copies); metrics without one count as fresh. */
export function snapshotForRule(snapshot: Snapshot, rule: Rule, state: RuleState): Snapshot {
  const readAt = (snapshot as Partial<SampledSnapshot>).readAt;
  if (state.kind !== 'verifying' || !readAt) return snapshot;
  // The verify window opens on the tick that received the action's outcome, after the action ended.
  const since = state.until - rule.verifyMs;
  const old = conditionMetrics(rule.when).filter((key) => (readAt.get(key) ?? since) < since);
  if (old.length === 0) return snapshot;
  const values = new Map(snapshot.values);
  const unknown = new Map(snapshot.unknown);
  for (const key of old) {
    values.delete(key);
    unknown.set(key, `not read since the action ended (last read ${Math.round((since - readAt.get(key)!) / 100) / 10} s before it)`);
  }
  return { ...snapshot, values, unknown };
}
