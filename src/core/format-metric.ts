// Metric values as an engineer reads them: with their unit (163.2MiB, 93.5%, 6.4s, 2m30s, 12ms).
// The one formatter for values in logs, the journal, `medic history`/`diagnose`/`metrics` and pages.
import { formatBytes, formatDuration } from './durations.js';
import { lookupMetric } from './metrics.js';
import type { Unit } from './types.js';

/** The unit of a metric key; `count` for a key outside the catalogue. */
export function unitOfMetric(key: string): Unit {
  const found = lookupMetric(key);
  return found.ok ? found.def.unit : 'count';
}

export function formatMetricValue(key: string, value: number): string {
  return formatUnitValue(value, unitOfMetric(key));
}

/** A value in its unit: `8.5GiB`, `93.5%`, `2m30s`, `12ms`, `71.5°C`, `12`. */
export function formatUnitValue(value: number, unit: Unit): string {
  switch (unit) {
    case 'bytes':
      return formatBytes(value);
    case 'percent':
      return `${round(value)}%`;
    case 'seconds':
      // Below a second, milliseconds say more than `0s` (a health probe's latency).
      return formatDuration(Math.abs(value) < 1 ? value * 1000 : round(value) * 1000);
    case 'celsius':
      return `${round(value)}°C`;
    case 'watts':
      return `${round(value)} W`;
    case 'per_second':
      return `${round(value)}/s`;
    default:
      return String(round(value));
  }
}

/** `worker.demo.rss=163.2MiB, memory.used_pct=41%` */
export function formatValues(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${formatMetricValue(key, value)}`)
    .join(', ');
}

/** ` (worker.demo.rss=163.2MiB)` to follow a condition, or `` when there are no values. */
export function formatValuesNote(values: Record<string, number>): string {
  const text = formatValues(values);
  return text ? ` (${text})` : '';
}

/** Whole numbers from 100 up, one decimal from 1, two below 1 (a load of 0.05). */
function round(value: number): number {
  const size = Math.abs(value);
  const decimals = size >= 100 ? 0 : size >= 1 ? 1 : 2;
  return Number(value.toFixed(decimals));
}
