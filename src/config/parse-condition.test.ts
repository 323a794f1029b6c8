import { describe, expect, it } from 'vitest';
import type { Condition } from '../core/types.js';
import { listConditionMetrics, parseCondition } from './parse-condition.js';

const workers = new Set(['render', 'demo', 'render-2']);

function parseOk(text: string): Condition {
  const result = parseCondition(text, { workers });
  if (!result.ok) throw new Error(`expected ${text} to parse: ${JSON.stringify(result.errors)}`);
  return result.condition;
}

function errorsOf(text: string): Array<{ offset: number; message: string }> {
  const result = parseCondition(text, { workers });
  if (result.ok) throw new Error(`expected ${text} to fail`);
  return result.errors;
}

/** Compact rendering of the tree: shows how the parser grouped things. */
function show(node: Condition): string {
  switch (node.kind) {
    case 'compare':
      return `${node.metric}${node.op}${node.value}`;
    case 'not':
      return `not(${show(node.operand)})`;
    default:
      return `${node.kind}(${show(node.left)}, ${show(node.right)})`;
  }
}

describe('parseCondition: structure', () => {
  it.each([
    // and binds tighter than or
    ['cpu.usage_pct > 1 or cpu.usage_pct > 2 and cpu.usage_pct > 3', 'or(cpu.usage_pct>1, and(cpu.usage_pct>2, cpu.usage_pct>3))'],
    ['cpu.usage_pct > 1 and cpu.usage_pct > 2 or cpu.usage_pct > 3', 'or(and(cpu.usage_pct>1, cpu.usage_pct>2), cpu.usage_pct>3)'],
    // parentheses override precedence
    ['cpu.usage_pct > 1 and (cpu.usage_pct > 2 or cpu.usage_pct > 3)', 'and(cpu.usage_pct>1, or(cpu.usage_pct>2, cpu.usage_pct>3))'],
    // and/or are left-associative
    ['cpu.load1 > 1 and cpu.load1 > 2 and cpu.load1 > 3', 'and(and(cpu.load1>1, cpu.load1>2), cpu.load1>3)'],
    // not binds to the next unary only
    ['not cpu.load1 > 1 and cpu.load1 > 2', 'and(not(cpu.load1>1), cpu.load1>2)'],
    ['not (cpu.load1 > 1 and cpu.load1 > 2)', 'not(and(cpu.load1>1, cpu.load1>2))'],
    ['not not cpu.load1 > 1', 'not(not(cpu.load1>1))'],
    ['((cpu.load1 > 1))', 'cpu.load1>1'],
    // no spaces needed around operators and parentheses
    ['(cpu.load1>1)or(cpu.load5<=2)', 'or(cpu.load1>1, cpu.load5<=2)'],
  ])('%s', (text, tree) => {
    expect(show(parseOk(text))).toBe(tree);
  });

  it('keeps every comparator', () => {
    for (const op of ['>', '>=', '<', '<=', '==', '!='] as const) {
      expect(parseOk(`cpu.cores ${op} 4`)).toEqual({ kind: 'compare', metric: 'cpu.cores', op, value: 4, text: `cpu.cores ${op} 4` });
    }
  });

  it('records the source text of each comparison and canonical metric keys', () => {
    const condition = parseOk('worker[demo].rss > 150MiB and not (memory.used_pct < 10%)');
    expect(condition).toEqual({
      kind: 'and',
      left: { kind: 'compare', metric: 'worker.demo.rss', op: '>', value: 150 * 1024 ** 2, text: 'worker[demo].rss > 150MiB' },
      right: { kind: 'not', operand: { kind: 'compare', metric: 'memory.used_pct', op: '<', value: 10, text: 'memory.used_pct < 10%' } },
    });
  });

  it('lists the metrics a condition reads', () => {
    const condition = parseOk('disk[/var/lib].free < 1GB or disk[/].used_pct > 90 or disk[/var/lib].free < 2GB');
    expect(listConditionMetrics(condition)).toEqual(['disk[/var/lib].free', 'disk[/].used_pct']);
  });
});

describe('parseCondition: units', () => {
  it.each([
    // bytes: size units (1024- and 1000-based) or bare bytes
    ['worker.demo.rss > 150MiB', 157_286_400],
    ['worker.demo.rss > 150 MiB', 157_286_400],
    ['memory.available < 1.5GiB', 1_610_612_736],
    ['memory.available < 2KiB', 2048],
    ['memory.available < 1TiB', 1024 ** 4],
    ['memory.available < 10B', 10],
    ['memory.available < 10KB', 10_000],
    ['memory.available < 10MB', 10_000_000],
    ['memory.available < 10GB', 1e10],
    ['memory.available < 1TB', 1e12],
    ['memory.available < 4096', 4096],
    // seconds: duration units converted to seconds, or bare seconds
    ['worker.demo.heartbeat_age > 500ms', 0.5],
    ['worker.demo.heartbeat_age > 30s', 30],
    ['worker.demo.heartbeat_age > 2m', 120],
    ['worker.demo.heartbeat_age > 1h', 3600],
    ['worker.demo.uptime < 1d', 86_400],
    ['worker.demo.uptime < 1m30s', 90],
    ['worker.demo.uptime < 45', 45],
    // percent: % or bare
    ['cpu.usage_pct > 95%', 95],
    ['cpu.usage_pct > 95 %', 95],
    ['cpu.usage_pct > 95.5', 95.5],
    // bool: 0 or 1
    ['worker.demo.up == 0', 0],
    ['worker.demo.up == 1', 1],
    // other units: bare numbers, negative allowed
    ['cpu.load1_per_core > 1.5', 1.5],
    ['worker.demo.restarts >= 3', 3],
    ['cpu.load1 > -1', -1],
  ])('%s -> %d', (text, value) => {
    const condition = parseOk(text);
    expect(condition.kind === 'compare' && condition.value).toBe(value);
  });

  it('accepts worker names with dashes and both label spellings', () => {
    expect(parseOk('worker.render-2.cpu_pct > 50')).toMatchObject({ metric: 'worker.render-2.cpu_pct' });
    expect(parseOk('worker[render-2].cpu_pct > 50')).toMatchObject({ metric: 'worker.render-2.cpu_pct' });
    expect(parseOk('disk[/].free < 1GiB')).toMatchObject({ metric: 'disk[/].free' });
  });

  it('skips the worker check when no worker list is given', () => {
    expect(parseCondition('worker.anything.up == 0').ok).toBe(true);
  });
});

describe('parseCondition: errors point at the offending token', () => {
  it.each([
    // [text, offset, message substring]
    ['', 0, 'expected a condition like'],
    ['cpu.usage_pct >', 15, 'expected a number after ">", got the end of the condition'],
    ['cpu.usage_pct 90', 14, 'expected a comparison (> >= < <= == !=) after cpu.usage_pct, got "90"'],
    ['cpu.usage_pct = 90', 14, 'use == to test equality'],
    ['cpu.usage_pct > 90 memory.used_pct > 1', 19, 'unexpected "memory.used_pct"; expected "and", "or"'],
    ['cpu.usage_pct > 90 AND memory.used_pct > 1', 19, 'keywords are lower-case'],
    ['(cpu.usage_pct > 90', 19, 'expected ")" to close "("'],
    ['cpu.usage_pct > 90)', 18, 'unexpected ")" with no matching "("'],
    ['cpu.usage_pct > 90 and', 22, 'expected a metric like "memory.used_pct", got the end'],
    ['and cpu.usage_pct > 90', 0, 'expected a metric like "memory.used_pct", got "and"'],
    ['cpu.usage_pct > 90 and $x > 1', 23, 'got "$"'],
    ['cpu.usage_pct > abc', 16, 'expected a number after ">", got "abc"'],
    ['not', 3, 'expected a metric'],
  ])('%j at %d', (text, offset, message) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.offset).toBe(offset);
    expect(errors[0]!.message).toContain(message);
  });

  it.each([
    ['memory.usd_pct > 90', 0, 'unknown memory metric "usd_pct"; did you mean "used_pct"?'],
    ['memroy.used_pct > 90', 0, 'unknown metric family "memroy"; did you mean "memory"?'],
    ['memory.zzz > 90', 0, 'unknown memory metric "zzz" (memory metrics: used_pct, available, total, swap_used_pct)'],
    ['cpu.usage_pct > 1 or worker.rendr.rss > 1GiB', 21, 'undefined worker "rendr"; did you mean "render"?'],
    ['worker.nobody.rss > 1GiB', 0, 'undefined worker "nobody" (workers: render, demo, render-2)'],
    ['disk[var].free < 1GiB', 0, 'disk label "var" must be an absolute path'],
    ['worker.rss > 1', 0, 'needs a worker'],
    ['cpu.x.usage_pct > 1', 0, 'takes no label'],
    ['worker.demo.rss > 10s', 18, 'worker.demo.rss is in bytes; "10s" is a duration'],
    ['worker.demo.heartbeat_age > 10MiB', 28, 'worker.demo.heartbeat_age is in seconds; "10MiB" is a size'],
    ['memory.used_pct > 1GiB', 18, 'memory.used_pct is a percentage; "1GiB" is a size'],
    ['worker.demo.rss > 50%', 18, 'is in bytes; "50%" is a percentage'],
    ['cpu.load1 > 2%', 12, 'cpu.load1 is a ratio (a bare number); "2%" is a percentage'],
    ['worker.demo.up == 2', 18, 'worker.demo.up is 0 or 1, got 2'],
    ['worker.demo.up == 1s', 18, 'worker.demo.up is 0 or 1; "1s" is a duration'],
    ['worker.demo.rss > 150Mb', 18, 'unknown unit "Mb" in "150Mb"; did you mean "MB"?'],
    ['worker.demo.rss > 1.2.3', 18, 'not a number'],
  ])('%j at %d', (text, offset, message) => {
    const errors = errorsOf(text);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.offset).toBe(offset);
    expect(errors[0]!.message).toContain(message);
  });

  it('collects every metric and unit error in one pass', () => {
    const errors = errorsOf('memory.usd_pct > 90 or worker.demo.rss > 10s or worker.ghost.up == 0');
    expect(errors.map((e) => e.offset)).toEqual([0, 41, 48]);
  });

  it('reports earlier metric errors together with a later syntax error', () => {
    const errors = errorsOf('memory.usd_pct > 90 or (cpu.load1 > 1');
    expect(errors.map((e) => e.offset)).toEqual([0, 37]);
  });
});
