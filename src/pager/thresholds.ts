// The thresholds a page shows beside the values that crossed them: every comparison in the
// rule's condition, with the limit as the operator wrote it (`> 8GiB`, not 8589934592).
import { lookupMetric } from '../core/metrics.js';
import type { Comparator, Condition, Unit } from '../core/types.js';

export interface Threshold {
  metric: string;
  op: Comparator;
  /** In the metric's base unit. */
  value: number;
  /** The limit as written after the metric: `> 8GiB`. */
  limit: string;
  unit?: Unit;
}

/** Every comparison of a condition, in the order written; none for a rule without `when:`. */
export function listThresholds(condition: Condition | undefined): Threshold[] {
  const out: Threshold[] = [];
  const walk = (node: Condition): void => {
    switch (node.kind) {
      case 'compare': {
        const found = lookupMetric(node.metric);
        const at = node.text.indexOf(node.op);
        const limit = at >= 0 ? node.text.slice(at).trim() : `${node.op} ${node.value}`;
        out.push({ metric: node.metric, op: node.op, value: node.value, limit, ...(found.ok ? { unit: found.def.unit } : {}) });
        return;
      }
      case 'and':
      case 'or':
        walk(node.left);
        walk(node.right);
        return;
      case 'not':
        walk(node.operand);
        return;
    }
  };
  if (condition) walk(condition);
  return out;
}
