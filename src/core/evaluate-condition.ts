// Evaluates a rule's `when:` against one snapshot with Kleene three-valued logic: a metric that
// was not sampled makes its comparison 'unknown' rather than false, so a broken sampler can
// neither fire a rule nor silently clear one.
import type { Comparator, Condition, MetricKey, Snapshot, Truth } from './types.js';

export interface ConditionResult {
  truth: Truth;
  /** Every metric the condition read that was known, with its value. */
  values: Record<MetricKey, number>;
  /** Every metric the condition read that was missing, in the order first read. */
  unknown: MetricKey[];
}

// Both sides of and/or are always evaluated (no short-circuit) so that `values` and `unknown`
// describe every metric the condition reads, which messages and the journal rely on.
export function evaluateCondition(condition: Condition, snapshot: Snapshot): ConditionResult {
  const values = new Map<MetricKey, number>();
  const unknown = new Set<MetricKey>();
  const truth = evaluateNode(condition, snapshot, values, unknown);
  return { truth, values: Object.fromEntries(values), unknown: [...unknown] };
}

// Every metric key a condition reads, deduplicated, in the order written (none for a rule without `when:`).
export function conditionMetrics(condition: Condition | undefined): MetricKey[] {
  const keys = new Set<MetricKey>();
  if (condition) collectMetrics(condition, keys);
  return [...keys];
}

function collectMetrics(condition: Condition, keys: Set<MetricKey>): void {
  switch (condition.kind) {
    case 'compare':
      keys.add(condition.metric);
      return;
    case 'and':
    case 'or':
      collectMetrics(condition.left, keys);
      collectMetrics(condition.right, keys);
      return;
    case 'not':
      collectMetrics(condition.operand, keys);
      return;
  }
}

function evaluateNode(condition: Condition, snapshot: Snapshot, values: Map<MetricKey, number>, unknown: Set<MetricKey>): Truth {
  switch (condition.kind) {
    case 'compare': {
      const value = snapshot.values.get(condition.metric);
      // NaN compares false to everything, which would quietly read as "healthy"; treat it as missing.
      if (value === undefined || Number.isNaN(value)) {
        unknown.add(condition.metric);
        return 'unknown';
      }
      values.set(condition.metric, value);
      return compare(value, condition.op, condition.value);
    }
    case 'and': {
      const left = evaluateNode(condition.left, snapshot, values, unknown);
      const right = evaluateNode(condition.right, snapshot, values, unknown);
      return andTruth(left, right);
    }
    case 'or': {
      const left = evaluateNode(condition.left, snapshot, values, unknown);
      const right = evaluateNode(condition.right, snapshot, values, unknown);
      return orTruth(left, right);
    }
    case 'not':
      return notTruth(evaluateNode(condition.operand, snapshot, values, unknown));
  }
}

function compare(left: number, op: Comparator, right: number): boolean {
  switch (op) {
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '==':
      return left === right;
    case '!=':
      return left !== right;
  }
}

export function andTruth(left: Truth, right: Truth): Truth {
  if (left === false || right === false) return false;
  if (left === 'unknown' || right === 'unknown') return 'unknown';
  return true;
}

export function orTruth(left: Truth, right: Truth): Truth {
  if (left === true || right === true) return true;
  if (left === 'unknown' || right === 'unknown') return 'unknown';
  return false;
}

export function notTruth(value: Truth): Truth {
  return value === 'unknown' ? 'unknown' : !value;
}
