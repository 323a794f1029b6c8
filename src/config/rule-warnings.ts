// Things that are allowed but probably not meant. Returned as warnings, never errors.
import { parseMetricKey } from '../core/metrics.js';
import type { Rule, WorkerSpec } from '../core/types.js';
import { listConditionMetrics } from './parse-condition.js';
import type { DocPath } from './zod-issues.js';

export interface RuleWarning {
  /** Path below the rule's own node, e.g. ['do']. */
  path: DocPath;
  message: string;
}

/** Worker metrics that only a `health:` probe of that kind produces. */
const HEALTH_PROBE_OF: Record<string, 'http' | 'tcp'> = { health_ok: 'http', health_status: 'http', health_latency: 'http', tcp_ok: 'tcp', tcp_latency: 'tcp' };

export function findRuleWarnings(rule: Rule, workers: ReadonlyMap<string, WorkerSpec>): RuleWarning[] {
  const warnings: RuleWarning[] = [];
  const watched = new Set<string>();
  for (const key of listConditionMetrics(rule.when)) {
    const parsed = parseMetricKey(key);
    if (parsed?.family !== 'worker' || parsed.label === undefined) continue;
    watched.add(parsed.label);
    if (parsed.field === 'heartbeat_age' && !workers.get(parsed.label)?.heartbeat) {
      warnings.push({ path: ['when'], message: `${key} is always unknown: worker "${parsed.label}" has no heartbeat file` });
    }
    const probe = HEALTH_PROBE_OF[parsed.field];
    if (probe !== undefined && !workers.get(parsed.label)?.health?.[probe]) {
      warnings.push({ path: ['when'], message: `${key} is always unknown: worker "${parsed.label}" has no health: ${probe} probe` });
    }
  }
  const touched = new Set(rule.ladder.map((step) => ('worker' in step.action ? step.action.worker : undefined)).filter((name): name is string => name !== undefined));
  if (watched.size > 0 && ![...watched].some((name) => touched.has(name))) {
    const names = [...watched].map((name) => `"${name}"`).join(', ');
    warnings.push({ path: ['do'], message: `the condition is about worker ${names} but no step acts on it (use restart_worker, or exec with worker:)` });
  }
  return warnings;
}
