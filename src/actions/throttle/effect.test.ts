import { describe, expect, it } from 'vitest';
import { NO_THROTTLE, combineThrottles, describeEffect } from './effect.js';

describe('combineThrottles', () => {
  it.each([
    // nothing asked: normal
    { actions: [], effect: NO_THROTTLE },
    // the strongest level wins, whatever the order
    { actions: [{ level: 'essential' }, { level: 'reduced' }], effect: { level: 'essential', cpuQuotaPct: null, paused: false } },
    // the tightest quota wins
    { actions: [{ cpuQuotaPct: 80 }, { level: 'reduced', cpuQuotaPct: 30 }], effect: { level: 'reduced', cpuQuotaPct: 30, paused: false } },
    // one pause pauses
    { actions: [{ level: 'reduced' }, { pause: true }], effect: { level: 'reduced', cpuQuotaPct: null, paused: true } },
  ] as const)('$actions', ({ actions, effect }) => {
    expect(combineThrottles(actions)).toEqual(effect);
  });

  it('describes an effect in one line', () => {
    expect(describeEffect({ level: 'emergency', cpuQuotaPct: 25, paused: true })).toBe('level emergency, cpu 25%, paused');
    expect(describeEffect(NO_THROTTLE)).toBe('level normal');
  });
});
