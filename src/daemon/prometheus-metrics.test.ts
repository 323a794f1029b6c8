import { afterEach, describe, expect, it } from 'vitest';
import { initialRuleState } from '../core/evaluate-rule.js';
import type { Rule, RuleState, Snapshot } from '../core/types.js';
import { findSample, parseExposition } from '../../test/helpers/prometheus-text.js';
import { MedicMetrics, type MetricsSource } from './prometheus-metrics.js';
import type { RuleRuntime } from './rule-runtime.js';

function rule(name: string): Rule {
  const whenText = 'worker.render.rss > 1';
  return {
    name,
    whenText,
    when: { kind: 'compare', metric: 'worker.render.rss', op: '>', value: 1, text: whenText },
    hold: { samples: 1 },
    ladder: [{ action: { type: 'restart_worker', worker: 'render' }, attempts: 1 }],
    verifyMs: 1000,
    budget: { count: 5, windowMs: 3_600_000 },
    backoff: { initialMs: 1000, maxMs: 60_000, resetAfterMs: 600_000 },
    severity: 'critical',
  };
}

function sourceWith(values: Record<string, number>, states: Record<string, RuleState>): MetricsSource & { current: Snapshot } {
  const rules = Object.keys(states).map(rule);
  const runtimes = new Map<string, RuleRuntime>(Object.entries(states).map(([name, state]) => [name, { state, incidentId: null }]));
  const source = {
    current: { at: 1, values: new Map(Object.entries(values)), unknown: new Map(), durationsMs: new Map([['cpu', 1.5], ['workers', 0.25]]) } as Snapshot,
    rules,
    ruleStates: () => runtimes,
    snapshot: () => source.current,
  };
  return source;
}

const opened: MedicMetrics[] = [];
afterEach(() => opened.splice(0).forEach((m) => m.close()));

function metricsFor(source: MetricsSource): MedicMetrics {
  const metrics = new MedicMetrics(source);
  opened.push(metrics);
  return metrics;
}

describe('MedicMetrics', () => {
  it('exports sampled metrics as gauges named medic_<family>_<field> with their label and unit', async () => {
    const source = sourceWith({ 'worker.render.rss': 123_456_789, 'worker.render.up': 1, 'memory.used_pct': 42.5, 'disk[/var/lib].free': 1024, 'gpu.0.temperature': 61 }, {});
    const text = parseExposition(await metricsFor(source).render());
    expect(findSample(text, 'medic_worker_rss_bytes', { worker: 'render' })?.value).toBe(123_456_789);
    expect(findSample(text, 'medic_worker_up', { worker: 'render' })?.value).toBe(1);
    expect(findSample(text, 'medic_memory_used_percent')?.value).toBe(42.5);
    expect(findSample(text, 'medic_disk_free_bytes', { mount: '/var/lib' })?.value).toBe(1024);
    expect(findSample(text, 'medic_gpu_temperature_celsius', { gpu: '0' })?.value).toBe(61);
    expect(text.types.get('medic_worker_rss_bytes')).toBe('gauge');
  });

  it('leaves a metric out once it is unknown, instead of reporting 0', async () => {
    const source = sourceWith({ 'memory.used_pct': 42.5, 'worker.render.rss': 5 }, {});
    const metrics = metricsFor(source);
    await metrics.render();
    source.current = { at: 2, values: new Map(), unknown: new Map([['memory', 'read failed']]) };
    const text = parseExposition(await metrics.render());
    expect(findSample(text, 'medic_memory_used_percent')).toBeUndefined();
    expect(findSample(text, 'medic_worker_rss_bytes')).toBeUndefined();
  });

  it('skips keys outside the catalogue', async () => {
    const text = parseExposition(await metricsFor(sourceWith({ 'made.up': 1, 'worker.render.nonsense': 2 }, {})).render());
    expect(text.samples.filter((s) => s.name.startsWith('medic_made') || s.name.includes('nonsense'))).toEqual([]);
  });

  it('exports each rule state as 1 for the current state and 0 for the others', async () => {
    const pending: RuleState = { ...initialRuleState(), kind: 'pending', since: 1, hits: 2 };
    const text = parseExposition(await metricsFor(sourceWith({}, { leak: pending, 'disk-full': initialRuleState() })).render());
    const leak = text.samples.filter((s) => s.name === 'medic_rule_state' && s.labels.rule === 'leak');
    expect(leak).toHaveLength(6);
    expect(leak.filter((s) => s.value === 1).map((s) => s.labels.state)).toEqual(['pending']);
    expect(findSample(text, 'medic_rule_state', { rule: 'disk-full', state: 'ok' })?.value).toBe(1);
  });

  it('counts actions and page deliveries, and reports medic_up, sampling durations and event-loop lag', async () => {
    const metrics = metricsFor(sourceWith({}, {}));
    metrics.countAction('leak', 'restart_worker', 'ok');
    metrics.countAction('leak', 'restart_worker', 'ok');
    metrics.countAction('leak', 'restart_worker', 'timed-out');
    metrics.countPages({ sent: 1, retried: 2, failed: 0, noWebhook: 0 });
    const text = parseExposition(await metrics.render());
    expect(findSample(text, 'medic_actions_total', { rule: 'leak', type: 'restart_worker', outcome: 'ok' })?.value).toBe(2);
    expect(findSample(text, 'medic_actions_total', { outcome: 'timed-out' })?.value).toBe(1);
    expect(text.types.get('medic_actions_total')).toBe('counter');
    expect(findSample(text, 'medic_pages_total', { outcome: 'retried' })?.value).toBe(2);
    expect(findSample(text, 'medic_pages_total', { outcome: 'failed' })).toBeUndefined();
    expect(findSample(text, 'medic_up')?.value).toBe(1);
    expect(findSample(text, 'medic_sampling_duration_seconds', { source: 'cpu' })?.value).toBe(0.0015);
    expect(findSample(text, 'medic_event_loop_lag_seconds')?.value).toBeGreaterThanOrEqual(0);
  });

  it('keeps its metrics in a private registry, not prom-client\'s global one', async () => {
    const { register } = await import('prom-client');
    metricsFor(sourceWith({ 'memory.used_pct': 1 }, {}));
    expect(register.getSingleMetric('medic_up')).toBeUndefined();
    expect(register.getSingleMetric('medic_memory_used_percent')).toBeUndefined();
  });
});
