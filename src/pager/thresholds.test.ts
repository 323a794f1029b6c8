import { describe, expect, it } from 'vitest';
import { parseCondition } from '../config/parse-condition.js';
import { listThresholds } from './thresholds.js';

function condition(text: string) {
  const parsed = parseCondition(text, { workers: new Set(['render']) });
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parsed.condition;
}

describe('listThresholds', () => {
  it('lists every comparison with the limit as written and the metric unit', () => {
    expect(listThresholds(condition('worker.render.rss > 8GiB and (memory.used_pct >= 90% or not cpu.load1 < 4)'))).toEqual([
      { metric: 'worker.render.rss', op: '>', value: 8 * 1024 ** 3, limit: '> 8GiB', unit: 'bytes' },
      { metric: 'memory.used_pct', op: '>=', value: 90, limit: '>= 90%', unit: 'percent' },
      { metric: 'cpu.load1', op: '<', value: 4, limit: '< 4', unit: 'ratio' },
    ]);
  });

  it('is empty for a rule without a condition', () => {
    expect(listThresholds(undefined)).toEqual([]);
  });
});
