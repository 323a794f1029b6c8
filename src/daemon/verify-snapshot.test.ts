import { describe, expect, it } from 'vitest';
import { initialRuleState } from '../core/evaluate-rule.js';
import type { Rule, RuleState } from '../core/types.js';
import { parseRulesText } from '../config/load-config.js';
import type { SampledSnapshot } from '../samplers/sampling-scheduler.js';
import { snapshotForRule } from './verify-snapshot.js';

const loaded = parseRulesText(
  'queues:\n  jobs: { spool: { dir: /tmp } }\nrules:\n  - { name: backlog, when: queue.jobs.depth > 5 and cpu.usage_pct < 99, do: [{ exec: [x] }], verify: 10s }\n',
  'r.yaml',
  '/srv',
);
if (!loaded.ok) throw new Error('fixture rules invalid');
const rule: Rule = loaded.config.rules[0]!;
// The outcome arrived at 100_000: the verify window runs to 110_000.
const verifying: RuleState = { ...initialRuleState(), kind: 'verifying', since: 90_000, step: 0, attempt: 1, until: 110_000 };

function snapshot(depthReadAt: number): SampledSnapshot {
  return {
    at: 100_200,
    values: new Map([['queue.jobs.depth', 10], ['cpu.usage_pct', 3]]),
    unknown: new Map(),
    readAt: new Map([['queue.jobs.depth', depthReadAt], ['cpu.usage_pct', 100_200]]),
  };
}

describe('snapshotForRule', () => {
  it('hides, while verifying, a queue depth read before the action ended', () => {
    const seen = snapshotForRule(snapshot(98_000), rule, verifying);
    expect(seen.values.has('queue.jobs.depth')).toBe(false);
    expect(seen.unknown.get('queue.jobs.depth')).toBe('not read since the action ended (last read 2 s before it)');
    // the host was read in this tick: kept
    expect(seen.values.get('cpu.usage_pct')).toBe(3);
  });

  it('keeps reads that began after the action, and everything outside verifying', () => {
    expect(snapshotForRule(snapshot(100_100), rule, verifying).values.get('queue.jobs.depth')).toBe(10);
    expect(snapshotForRule(snapshot(98_000), rule, initialRuleState()).values.get('queue.jobs.depth')).toBe(10);
    const { readAt: _readAt, ...plain } = snapshot(98_000);
    expect(snapshotForRule(plain, rule, verifying).values.get('queue.jobs.depth')).toBe(10);
  });
});
