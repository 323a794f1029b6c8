import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTORE_AFTER_MS, isRestoreDue } from './restore-due.js';
import type { Rule, RuleState } from './types.js';

const when = { kind: 'compare', metric: 'cpu.usage_pct', op: '>', value: 90, text: 'cpu.usage_pct > 90' } as const;
const rule = { name: 'r', when, restoreAfterMs: 2000 } as Rule;
const memory = { actionTimes: [], streak: 1, lastSkip: null };
const ok = (clearSince: number | null): RuleState => ({ ...memory, clearSince, kind: 'ok' });

describe('isRestoreDue', () => {
  it.each([
    // ok and clear for restore_after: undo
    { state: ok(1000), at: 3000, due: true },
    // ok but clear for less than restore_after: one good sample is not enough
    { state: ok(1000), at: 2999, due: false },
    // ok without a clear stretch (condition unknown since start): wait
    { state: ok(null), at: 99_999, due: false },
    // the condition came back before the hold: pending is not ok
    { state: { ...memory, clearSince: null, kind: 'pending', since: 2500, hits: 1 } as RuleState, at: 9000, due: false },
    // still verifying the step that throttled: not yet
    { state: { ...memory, clearSince: null, kind: 'verifying', since: 0, step: 0, attempt: 1, until: 5000 } as RuleState, at: 9000, due: false },
    // ladder spent, condition still true: the throttle stays
    { state: { ...memory, clearSince: null, kind: 'exhausted', since: 0, reason: 'ladder-exhausted' } as RuleState, at: 99_999, due: false },
  ])('$state.kind clearSince=$state.clearSince at=$at -> $due', ({ state, at, due }) => {
    expect(isRestoreDue(rule, state, at)).toBe(due);
  });

  it('undoes at once for a rule removed by a reload', () => {
    expect(isRestoreDue(undefined, undefined, 0)).toBe(true);
  });

  it('defaults restore_after to 2 minutes', () => {
    const plain = { name: 'r', when } as Rule;
    expect(isRestoreDue(plain, ok(0), DEFAULT_RESTORE_AFTER_MS - 1)).toBe(false);
    expect(isRestoreDue(plain, ok(0), DEFAULT_RESTORE_AFTER_MS)).toBe(true);
  });
});

describe('isRestoreDue for a rule that runs on a schedule only', () => {
  const scheduled = { name: 'nightly', restoreAfterMs: 2000 } as Rule;
  const idle: RuleState = { actionTimes: [], streak: 0, lastSkip: null, clearSince: null, kind: 'ok' };

  it('undoes restore_after after its last throttle or scale-out', () => {
    expect(isRestoreDue(scheduled, idle, 2999, 1000)).toBe(false);
    expect(isRestoreDue(scheduled, idle, 3000, 1000)).toBe(true);
    expect(isRestoreDue(scheduled, idle, 99_999)).toBe(false);
  });
});
