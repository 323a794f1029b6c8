import { describe, expect, it } from 'vitest';
import { andTruth, conditionMetrics, evaluateCondition, notTruth, orTruth } from './evaluate-condition.js';
import type { Comparator, Condition, Snapshot, Truth } from './types.js';

function snapshot(values: Record<string, number>, unknown: Record<string, string> = {}): Snapshot {
  return { at: 0, values: new Map(Object.entries(values)), unknown: new Map(Object.entries(unknown)) };
}

function cmp(metric: string, op: Comparator, value: number): Condition {
  return { kind: 'compare', metric, op, value, text: `${metric} ${op} ${value}` };
}
const and = (left: Condition, right: Condition): Condition => ({ kind: 'and', left, right });
const or = (left: Condition, right: Condition): Condition => ({ kind: 'or', left, right });
const not = (operand: Condition): Condition => ({ kind: 'not', operand });

// `x > 0` over a snapshot where x is 1 (true), -1 (false) or missing (unknown).
const TRUTHS: Truth[] = [true, false, 'unknown'];
function operand(name: string, truth: Truth): { condition: Condition; values: Record<string, number> } {
  const condition = cmp(name, '>', 0);
  if (truth === 'unknown') return { condition, values: {} };
  return { condition, values: { [name]: truth ? 1 : -1 } };
}

describe('evaluateCondition: comparators', () => {
  const table: Array<[Comparator, number, boolean]> = [
    ['>', 91, true],
    ['>', 90, false],
    ['>=', 90, true],
    ['>=', 89, false],
    ['<', 89, true],
    ['<', 90, false],
    ['<=', 90, true],
    ['<=', 91, false],
    ['==', 90, true],
    ['==', 90.5, false],
    ['!=', 90.5, true],
    ['!=', 90, false],
  ];
  it.each(table)('%s with value %d is %s', (op, value, truth) => {
    const result = evaluateCondition(cmp('memory.used_pct', op, 90), snapshot({ 'memory.used_pct': value }));
    expect(result).toEqual({ truth, values: { 'memory.used_pct': value }, unknown: [] });
  });

  it('a missing metric is unknown, never 0', () => {
    const result = evaluateCondition(cmp('memory.used_pct', '<', 10), snapshot({}, { memory: 'read failed' }));
    expect(result).toEqual({ truth: 'unknown', values: {}, unknown: ['memory.used_pct'] });
  });

  it('NaN counts as missing (it would compare false and look healthy)', () => {
    const result = evaluateCondition(cmp('gpu.0.temp', '<', 80), snapshot({ 'gpu.0.temp': Number.NaN }));
    expect(result).toEqual({ truth: 'unknown', values: {}, unknown: ['gpu.0.temp'] });
  });

  it('zero is a known value', () => {
    expect(evaluateCondition(cmp('worker.w.up', '==', 0), snapshot({ 'worker.w.up': 0 })).truth).toBe(true);
  });
});

describe('evaluateCondition: Kleene three-valued logic', () => {
  // Kleene's strong tables: false dominates AND, true dominates OR, otherwise unknown spreads.
  const expectedAnd: Record<string, Truth> = {
    'true,true': true,
    'true,false': false,
    'true,unknown': 'unknown',
    'false,true': false,
    'false,false': false,
    'false,unknown': false,
    'unknown,true': 'unknown',
    'unknown,false': false,
    'unknown,unknown': 'unknown',
  };
  const expectedOr: Record<string, Truth> = {
    'true,true': true,
    'true,false': true,
    'true,unknown': true,
    'false,true': true,
    'false,false': false,
    'false,unknown': 'unknown',
    'unknown,true': true,
    'unknown,false': 'unknown',
    'unknown,unknown': 'unknown',
  };
  const pairs = TRUTHS.flatMap((left) => TRUTHS.map((right) => [left, right] as const));

  it.each(pairs)('%s AND %s', (left, right) => {
    const a = operand('a.x', left);
    const b = operand('b.x', right);
    const result = evaluateCondition(and(a.condition, b.condition), snapshot({ ...a.values, ...b.values }));
    expect(result.truth).toBe(expectedAnd[`${left},${right}`]);
    expect(andTruth(left, right)).toBe(expectedAnd[`${left},${right}`]);
  });

  it.each(pairs)('%s OR %s', (left, right) => {
    const a = operand('a.x', left);
    const b = operand('b.x', right);
    const result = evaluateCondition(or(a.condition, b.condition), snapshot({ ...a.values, ...b.values }));
    expect(result.truth).toBe(expectedOr[`${left},${right}`]);
    expect(orTruth(left, right)).toBe(expectedOr[`${left},${right}`]);
  });

  it.each([
    [true, false],
    [false, true],
    ['unknown', 'unknown'],
  ] as Array<[Truth, Truth]>)('NOT %s is %s', (value, expected) => {
    const a = operand('a.x', value);
    expect(evaluateCondition(not(a.condition), snapshot(a.values)).truth).toBe(expected);
    expect(notTruth(value)).toBe(expected);
  });
});

describe('evaluateCondition: values and unknown lists', () => {
  it('reads both sides even when the left decides (for messages)', () => {
    const condition = or(cmp('a.x', '>', 0), cmp('b.x', '>', 0));
    expect(evaluateCondition(condition, snapshot({ 'a.x': 5, 'b.x': -5 }))).toEqual({ truth: true, values: { 'a.x': 5, 'b.x': -5 }, unknown: [] });
  });

  it('lists known and missing metrics separately, each once, in reading order', () => {
    // (c.x > 0 and a.x > 0) or not (b.x > 0 or c.x < 10) or d.x == 1
    const condition = or(or(and(cmp('c.x', '>', 0), cmp('a.x', '>', 0)), not(or(cmp('b.x', '>', 0), cmp('c.x', '<', 10)))), cmp('d.x', '==', 1));
    const result = evaluateCondition(condition, snapshot({ 'a.x': 1, 'd.x': 0 }));
    expect(result.truth).toBe('unknown');
    expect(result.values).toEqual({ 'a.x': 1, 'd.x': 0 });
    expect(result.unknown).toEqual(['c.x', 'b.x']);
  });

  it('false AND unknown is false but still reports the unknown metric', () => {
    const result = evaluateCondition(and(cmp('a.x', '>', 0), cmp('b.x', '>', 0)), snapshot({ 'a.x': -1 }));
    expect(result).toEqual({ truth: false, values: { 'a.x': -1 }, unknown: ['b.x'] });
  });
});

describe('conditionMetrics', () => {
  it('returns a single compare metric', () => {
    expect(conditionMetrics(cmp('memory.used_pct', '>', 90))).toEqual(['memory.used_pct']);
  });

  it('walks and/or/not and deduplicates, in the order written', () => {
    const condition = and(or(cmp('disk[/var].free', '<', 1e9), not(cmp('worker.w.up', '==', 1))), cmp('disk[/var].free', '>', 0));
    expect(conditionMetrics(condition)).toEqual(['disk[/var].free', 'worker.w.up']);
  });
});
