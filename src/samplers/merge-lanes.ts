// Merging the latest result of each sampling source into one snapshot: a source without a result
// yet, or whose result is older than STALE_AFTER_INTERVALS of its intervals, has its metrics
// unknown with the reason, never its old values.
import type { Snapshot } from '../core/types.js';
import type { LaneResult, SourceLane } from './source-lane.js';

export const STALE_AFTER_INTERVALS = 3;

export type LaneState = 'fresh' | 'pending' | 'stale';

/** A Snapshot that also says when each value's read began, so a verify can ignore reads older than its action. */
export interface SampledSnapshot extends Snapshot {
  /** Metric key -> `at` of the read that produced it (values and unknowns of fresh sources). */
  readAt: ReadonlyMap<string, number>;
}

export type Merged = LaneResult & { readAt: Map<string, number> };

/** Copies a lane's latest result into `target`, or marks its metrics unknown with why there is none. */
export function mergeLane(target: Merged, lane: SourceLane, pendingKeys: string[], at: number): LaneState {
  const latest = lane.latest;
  const limitMs = STALE_AFTER_INTERVALS * lane.intervalMs;
  const runningSince = lane.runningSince;
  if (!latest) {
    const runningMs = runningSince === undefined ? undefined : at - runningSince;
    const reason = runningMs === undefined ? `${lane.name}: not read yet` : `${lane.name}: first read still running after ${formatSeconds(runningMs)}`;
    for (const key of pendingKeys) target.unknown.set(key, reason);
    return runningMs !== undefined && runningMs > limitMs ? 'stale' : 'pending';
  }
  const ageMs = at - latest.at;
  if (ageMs > limitMs) {
    const reason = `stale: last sampled ${formatSeconds(ageMs)} ago (${lane.name} is read every ${formatSeconds(lane.intervalMs)})`;
    for (const key of [...pendingKeys, ...latest.result.values.keys(), ...latest.result.unknown.keys()]) target.unknown.set(key, reason);
    return 'stale';
  }
  for (const [key, value] of latest.result.values) {
    target.values.set(key, value);
    target.readAt.set(key, latest.at);
  }
  for (const [key, reason] of latest.result.unknown) {
    target.unknown.set(key, reason);
    target.readAt.set(key, latest.at);
  }
  for (const [source, ms] of latest.result.durationsMs) target.durationsMs.set(source, ms);
  return 'fresh';
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
