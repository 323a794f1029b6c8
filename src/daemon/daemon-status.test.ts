import { describe, expect, it } from 'vitest';
import { initialRuleState } from '../core/evaluate-rule.js';
import type { Rule, RuleState, Snapshot } from '../core/types.js';
import { buildDaemonStatus, snapshotFromStatus, type StatusParts } from './daemon-status.js';

const HOUR = 3_600_000;

function rule(name: string, overrides: Partial<Rule> = {}): Rule {
  const whenText = 'worker.render.rss > 1';
  return {
    name, whenText,
    when: { kind: 'compare', metric: 'worker.render.rss', op: '>', value: 1, text: whenText },
    hold: { samples: 1 },
    ladder: [{ action: { type: 'restart_worker', worker: 'render' }, attempts: 2 }, { action: { type: 'exec', argv: ['/usr/local/bin/drain', '--now'], timeoutMs: 1000 }, attempts: 1 }],
    verifyMs: 1000,
    budget: { count: 5, windowMs: HOUR },
    backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 600_000 },
    severity: 'critical',
    ...overrides,
  };
}

function parts(states: Record<string, RuleState>, overrides: Partial<StatusParts> = {}): StatusParts {
  return {
    host: 'web-1', startedAt: 1000, at: 10 * HOUR, intervalMs: 5000,
    rules: Object.keys(states).map((name) => rule(name)),
    runtimes: new Map(Object.entries(states).map(([name, state]) => [name, { state, incidentId: name === 'ok' ? null : 4 }])),
    snapshot: undefined, busyTargets: new Set(), outbox: { pending: 1, failed: 0, sent: 3, noWebhook: 0, lastError: null },
    ...overrides,
  };
}

describe('buildDaemonStatus', () => {
  it('lists each rule with its state as the engine holds it, and the budget used in the window', () => {
    const at = 10 * HOUR;
    // two actions inside the hour, one older
    const firing: RuleState = { ...initialRuleState(), actionTimes: [at - 2 * HOUR, at - 30 * 60_000, at - 60_000], kind: 'firing', since: at - 1000, step: 1, attempt: 1, waitUntil: at + 5000 };
    const status = buildDaemonStatus(parts({ ok: initialRuleState(), leak: firing }));
    expect(status.rules).toEqual([
      { name: 'ok', severity: 'critical', implicit: false, state: initialRuleState(), incidentId: null, budget: { used: 0, count: 5, windowMs: HOUR } },
      { name: 'leak', severity: 'critical', implicit: false, state: firing, incidentId: 4, budget: { used: 2, count: 5, windowMs: HOUR } },
    ]);
    expect(status.inFlight).toEqual([]);
    expect(status.outbox.pending).toBe(1);
  });

  it('shows the running action of an acting rule, with its target', () => {
    const at = 10 * HOUR;
    const acting: RuleState = { ...initialRuleState(), kind: 'acting', since: at - 9000, step: 1, attempt: 1, startedAt: at - 2000 };
    const status = buildDaemonStatus(parts({ drain: acting }, { busyTargets: new Set(['worker:render', 'worker:api']) }));
    expect(status.inFlight).toEqual([{ rule: 'drain', step: 1, attempt: 1, startedAt: at - 2000, action: 'exec /usr/local/bin/drain --now', target: null }]);
    expect(status.busyTargets).toEqual(['worker:api', 'worker:render']);
  });

  it('carries the snapshot as plain JSON that turns back into the same snapshot', () => {
    const snapshot: Snapshot = { at: 5, values: new Map([['worker.render.rss', 10], ['disk[/var].free', 2]]), unknown: new Map([['gpu', 'nvidia-smi not found']]), durationsMs: new Map([['cpu', 0.1234567]]) };
    const status = buildDaemonStatus(parts({}, { snapshot }));
    const wire = JSON.parse(JSON.stringify(status)) as typeof status;
    expect(wire.snapshot).toEqual({ at: 5, values: { 'worker.render.rss': 10, 'disk[/var].free': 2 }, unknown: { gpu: 'nvidia-smi not found' }, durationsMs: { cpu: 0.123 } });
    const back = snapshotFromStatus(wire.snapshot!);
    expect([...back.values]).toEqual([...snapshot.values]);
    expect([...back.unknown]).toEqual([...snapshot.unknown]);
  });
});
