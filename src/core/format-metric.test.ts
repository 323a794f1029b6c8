import { describe, expect, it } from 'vitest';
import { formatMetricValue, formatUnitValue, formatValues, formatValuesNote, unitOfMetric } from './format-metric.js';

describe('formatUnitValue', () => {
  it.each([
    [9_123_456_789, 'bytes', '8.5GiB'],
    [93.456, 'percent', '93.5%'],
    [150, 'seconds', '2m30s'],
    [6.429070556640625, 'seconds', '6.4s'],
    [0.0123, 'seconds', '12ms'],
    [86_400, 'seconds', '1d'],
    [71.5, 'celsius', '71.5°C'],
    [245.3, 'watts', '245 W'],
    [12.25, 'per_second', '12.3/s'],
    [12, 'count', '12'],
    [0.05, 'ratio', '0.05'],
    [1234.5, 'count', '1235'],
    [-3.14159, 'count', '-3.1'],
  ] as const)('%d %s -> %s', (value, unit, text) => {
    expect(formatUnitValue(value, unit)).toBe(text);
  });
});

describe('formatMetricValue', () => {
  it('formats by the unit the catalogue gives the metric', () => {
    expect(unitOfMetric('worker.demo.rss')).toBe('bytes');
    expect(formatMetricValue('worker.demo.rss', 228_782_080)).toBe('218.2MiB');
    expect(formatMetricValue('worker.demo.heartbeat_age', 6.429070556640625)).toBe('6.4s');
    expect(formatMetricValue('memory.used_pct', 41)).toBe('41%');
  });

  it('shows a key outside the catalogue as a plain number', () => {
    expect(unitOfMetric('no.such_metric')).toBe('count');
    expect(formatMetricValue('no.such_metric', 2.345)).toBe('2.3');
  });
});

describe('formatValues', () => {
  it('lists each key with its value in its unit', () => {
    expect(formatValues({ 'worker.demo.rss': 228_782_080, 'memory.used_pct': 93.456 })).toBe('worker.demo.rss=218.2MiB, memory.used_pct=93.5%');
    expect(formatValuesNote({ 'worker.demo.rss': 228_782_080 })).toBe(' (worker.demo.rss=218.2MiB)');
  });

  it('is empty without values, and the note adds no empty parentheses', () => {
    expect(formatValues({})).toBe('');
    expect(formatValuesNote({})).toBe('');
  });
});
