import { describe, expect, it } from 'vitest';
import { backoffDelayMs, recentActionTimes } from './backoff.js';
import type { Rule } from './types.js';

function ruleWithBackoff(initialMs: number, maxMs: number): Rule {
  return {
    name: 'r',
    whenText: 'x.y > 0',
    when: { kind: 'compare', metric: 'x.y', op: '>', value: 0, text: 'x.y > 0' },
    hold: { samples: 1 },
    ladder: [],
    verifyMs: 0,
    budget: { count: 1, windowMs: 1 },
    backoff: { initialMs, maxMs, resetAfterMs: 0 },
    severity: 'warning',
  };
}

describe('backoffDelayMs', () => {
  const rule = ruleWithBackoff(1000, 60_000);
  it.each([
    [0, 0], // a fresh rule acts at once
    [1, 1000], // initialMs after the first action
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, 60_000], // 64s capped at maxMs
    [5000, 60_000], // huge streaks stay capped, never NaN or Infinity
  ])('streak %d → %d ms', (streak, delayMs) => {
    expect(backoffDelayMs(rule, streak)).toBe(delayMs);
  });

  it('is 0 when initialMs is 0, even for huge streaks', () => {
    expect(backoffDelayMs(ruleWithBackoff(0, 60_000), 5000)).toBe(0);
  });
});

describe('recentActionTimes', () => {
  it('keeps times younger than the window; a time exactly windowMs old has left it', () => {
    expect(recentActionTimes([0, 1000, 5000, 9999], 10_000, 9000)).toEqual([5000, 9999]);
    expect(recentActionTimes([0, 1000], 10_000, 10_000)).toEqual([1000]);
  });

  it('does not change its argument', () => {
    const times = Object.freeze([1, 2, 3]);
    expect(recentActionTimes(times, 10, 8)).toEqual([3]);
  });
});
