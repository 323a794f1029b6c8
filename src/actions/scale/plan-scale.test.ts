import { describe, expect, it } from 'vitest';
import { planScale, type ScaleInput } from './plan-scale.js';

const base: ScaleInput = { current: 2, delta: 1, min: 1, max: 4, lastChangeAt: null, cooldownMs: 60_000, at: 1_000_000 };

describe('planScale', () => {
  it.each([
    // room to grow: one step
    { input: {}, plan: { kind: 'change', from: 2, to: 3 } },
    // a big step stops at max
    { input: { delta: 5 }, plan: { kind: 'change', from: 2, to: 4 } },
    // at max: never past it
    { input: { current: 4 }, plan: { kind: 'refuse', reason: 'at-max' } },
    // someone scaled past max by hand: scale_out does not "scale out" down to max
    { input: { current: 6 }, plan: { kind: 'refuse', reason: 'at-max' } },
    // scale in within bounds
    { input: { delta: -1 }, plan: { kind: 'change', from: 2, to: 1 } },
    // at min: never below it
    { input: { current: 1, delta: -1 }, plan: { kind: 'refuse', reason: 'at-min' } },
    // below min (fleet started small): scale_in does not raise it
    { input: { current: 0, delta: -1 }, plan: { kind: 'refuse', reason: 'at-min' } },
    // a change 59 s ago with a 60 s cooldown: refused, whichever direction
    { input: { lastChangeAt: 941_000 }, plan: { kind: 'refuse', reason: 'cooldown' } },
    { input: { lastChangeAt: 941_000, delta: -1 }, plan: { kind: 'refuse', reason: 'cooldown' } },
    // exactly the cooldown ago: allowed
    { input: { lastChangeAt: 940_000 }, plan: { kind: 'change', from: 2, to: 3 } },
  ])('$input -> $plan.kind $plan.reason', ({ input, plan }) => {
    expect(planScale({ ...base, ...input })).toMatchObject(plan);
  });

  it('says how long the cooldown still runs', () => {
    const plan = planScale({ ...base, lastChangeAt: 970_000 });
    expect(plan.kind === 'refuse' && plan.detail).toBe('in cooldown for 30s more (last change 30s ago)');
  });
});
