// Whether and where to move a replica count: never outside min..max, never against the asked
// direction (a fleet someone scaled past max is not "scaled out" down to max), and never within
// the cooldown of the last change in either direction. Pure: time comes in as `at`.
import { formatDuration } from '../../core/durations.js';

export interface ScaleInput {
  current: number;
  /** +step for scale_out, -step for scale_in. */
  delta: number;
  min: number;
  max: number;
  /** When this target's count last changed, or null. */
  lastChangeAt: number | null;
  cooldownMs: number;
  at: number;
}

export type ScaleRefusal = 'cooldown' | 'at-max' | 'at-min';

export type ScalePlan = { kind: 'change'; from: number; to: number } | { kind: 'refuse'; reason: ScaleRefusal; from: number; detail: string };

export function planScale(input: ScaleInput): ScalePlan {
  const { current, delta, min, max } = input;
  if (input.lastChangeAt !== null && input.at - input.lastChangeAt < input.cooldownMs) {
    const left = input.cooldownMs - (input.at - input.lastChangeAt);
    return { kind: 'refuse', reason: 'cooldown', from: current, detail: `in cooldown for ${formatDuration(left)} more (last change ${formatDuration(input.at - input.lastChangeAt)} ago)` };
  }
  const to = Math.min(max, Math.max(min, current + delta));
  if (delta > 0 && to <= current) return { kind: 'refuse', reason: 'at-max', from: current, detail: `already at ${current}, max is ${max}` };
  if (delta < 0 && to >= current) return { kind: 'refuse', reason: 'at-min', from: current, detail: `already at ${current}, min is ${min}` };
  return { kind: 'change', from: current, to };
}
