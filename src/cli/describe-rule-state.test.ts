import { describe, expect, it } from 'vitest';
import { initialRuleState } from '../core/evaluate-rule.js';
import type { Rule, RuleState } from '../core/types.js';
import { describeRuleState } from './describe-rule-state.js';

const AT = 1_000_000;
const mem = initialRuleState();

function rule(overrides: Partial<Rule> = {}): Rule {
  const whenText = 'worker.render.rss > 1';
  return {
    name: 'leak', whenText,
    when: { kind: 'compare', metric: 'worker.render.rss', op: '>', value: 1, text: whenText },
    hold: { samples: 100 },
    ladder: [{ action: { type: 'restart_worker', worker: 'render' }, attempts: 2 }, { action: { type: 'exec', argv: ['/bin/true'], timeoutMs: 1000 }, attempts: 1 }],
    verifyMs: 30_000,
    budget: { count: 5, windowMs: 3_600_000 },
    backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 600_000 },
    severity: 'critical',
    ...overrides,
  };
}

describe('describeRuleState', () => {
  it.each<[string, RuleState, Rule | undefined, string]>([
    ['ok', mem, rule(), 'ok'],
    // counted hold: how far along it is
    ['pending by samples', { ...mem, kind: 'pending', since: AT - 15_000, hits: 3 }, rule(), 'pending: 3 of 100 samples true'],
    // timed hold: when it will fire
    ['pending by time', { ...mem, kind: 'pending', since: AT - 20_000, hits: 5 }, rule({ hold: { ms: 60_000 } }), 'pending: true for 20s of 1m, fires in 40s'],
    // the ladder position and the backoff timer
    ['firing, waiting', { ...mem, kind: 'firing', since: AT - 40_000, step: 0, attempt: 2, waitUntil: AT + 12_000 }, rule(), 'firing for 40s: step 1/2, attempt 2/2, next action in 12s'],
    ['firing, due', { ...mem, kind: 'firing', since: AT - 1000, step: 1, attempt: 1, waitUntil: AT - 1 }, rule(), 'firing for 1s: step 2/2, attempt 1/1, acting at the next tick'],
    ['acting', { ...mem, kind: 'acting', since: AT - 60_000, step: 0, attempt: 1, startedAt: AT - 3000 }, rule(), 'acting: step 1/2, attempt 1/2, running for 3s'],
    ['verifying', { ...mem, kind: 'verifying', since: AT - 60_000, step: 0, attempt: 1, until: AT + 25_000 }, rule(), 'verifying step 1/2, attempt 1/2: clear in 25s if it stays clear'],
    ['exhausted', { ...mem, kind: 'exhausted', since: AT - 600_000, reason: 'ladder-exhausted', pagedAt: AT - 600_000 }, rule(), 'exhausted (ladder-exhausted) for 10m, on-call paged; re-arms in 50m or when it clears'],
    // a rule the daemon has that this rules file does not
    ['unknown rule', { ...mem, kind: 'firing', since: AT - 1000, step: 0, attempt: 1, waitUntil: AT }, undefined, 'firing for 1s: step 1, attempt 1, acting at the next tick'],
  ])('%s', (_, state, r, expected) => {
    expect(describeRuleState(state, r, AT)).toBe(expected);
  });
});
