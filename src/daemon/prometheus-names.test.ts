import { describe, expect, it } from 'vitest';
import { METRIC_FAMILIES } from '../core/metrics.js';
import { prometheusMetricName } from './prometheus-names.js';

describe('prometheusMetricName', () => {
  it.each([
    // the unit becomes the Prometheus base-unit suffix
    ['worker', 'rss', 'bytes', 'medic_worker_rss_bytes'],
    ['worker', 'uptime', 'seconds', 'medic_worker_uptime_seconds'],
    ['worker', 'heartbeat_age', 'seconds', 'medic_worker_heartbeat_age_seconds'],
    // `_pct` is medic's spelling of percent
    ['memory', 'used_pct', 'percent', 'medic_memory_used_percent'],
    ['gpu', 'memory_used_pct', 'percent', 'medic_gpu_memory_used_percent'],
    ['queue', 'growth_per_s', 'per_second', 'medic_queue_growth_per_second'],
    ['gpu', 'temperature', 'celsius', 'medic_gpu_temperature_celsius'],
    ['gpu', 'power_draw', 'watts', 'medic_gpu_power_draw_watts'],
    // counts, booleans and ratios have no base unit
    ['cpu', 'load1', 'ratio', 'medic_cpu_load1'],
    ['worker', 'up', 'bool', 'medic_worker_up'],
    ['queue', 'depth', 'count', 'medic_queue_depth'],
  ] as const)('%s.%s (%s) -> %s', (family, field, unit, expected) => {
    expect(prometheusMetricName(family, field, unit)).toBe(expected);
  });

  it('gives every catalogue metric a distinct, valid name', () => {
    const names = Object.entries(METRIC_FAMILIES).flatMap(([family, def]) => Object.entries(def.fields).map(([field, { unit }]) => prometheusMetricName(family, field, unit)));
    for (const name of names) expect(name).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
    expect(new Set(names).size).toBe(names.length);
  });
});
