// What a worker's active throttles add up to: the strongest level, the tightest CPU quota, and
// paused when any of them pauses. Pure.
import { DEGRADATION_LEVELS } from '../../core/action-specs.js';
import type { DegradationLevel, ThrottleAction } from '../../core/action-specs.js';

export interface ThrottleEffect {
  level: DegradationLevel;
  /** Percent of one CPU, or null for no limit. */
  cpuQuotaPct: number | null;
  paused: boolean;
}

export const NO_THROTTLE: ThrottleEffect = { level: 'normal', cpuQuotaPct: null, paused: false };

export function combineThrottles(actions: readonly Pick<ThrottleAction, 'level' | 'cpuQuotaPct' | 'pause'>[]): ThrottleEffect {
  let effect = NO_THROTTLE;
  for (const action of actions) {
    effect = {
      level: action.level !== undefined && levelRank(action.level) > levelRank(effect.level) ? action.level : effect.level,
      cpuQuotaPct: action.cpuQuotaPct === undefined ? effect.cpuQuotaPct : Math.min(action.cpuQuotaPct, effect.cpuQuotaPct ?? Infinity),
      paused: effect.paused || action.pause === true,
    };
  }
  return effect;
}

export function levelRank(level: DegradationLevel): number {
  return DEGRADATION_LEVELS.indexOf(level);
}

export function sameEffect(a: ThrottleEffect, b: ThrottleEffect): boolean {
  return a.level === b.level && a.cpuQuotaPct === b.cpuQuotaPct && a.paused === b.paused;
}

/** `level reduced, cpu 50%, paused` / `normal`. */
export function describeEffect(effect: ThrottleEffect): string {
  const parts = [`level ${effect.level}`];
  if (effect.cpuQuotaPct !== null) parts.push(`cpu ${effect.cpuQuotaPct}%`);
  if (effect.paused) parts.push('paused');
  return parts.join(', ');
}
