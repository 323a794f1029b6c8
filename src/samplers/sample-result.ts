// What one sampler returns: the metrics it read, and for every metric it could not read, why.
import type { MetricKey } from '../core/types.js';
import { formatMetricKey } from '../core/metrics.js';

export interface SampleResult {
  values: Map<MetricKey, number>;
  /** Metric key (or source name, when a whole source failed) -> reason. */
  unknown: Map<string, string>;
}

export function createSampleResult(): SampleResult {
  return { values: new Map(), unknown: new Map() };
}

// Marks several fields of one family (and label) unknown for the same reason.
export function markUnknown(result: SampleResult, family: string, fields: readonly string[], reason: string, label?: string): void {
  for (const field of fields) result.unknown.set(formatMetricKey(family, field, label), reason);
}

export function mergeSampleResult(target: SampleResult, source: SampleResult): void {
  for (const [key, value] of source.values) target.values.set(key, value);
  for (const [key, reason] of source.unknown) target.unknown.set(key, reason);
}
