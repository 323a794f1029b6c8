// Metric values as an engineer reads them: with their unit (163.2MiB, 93.5%, 12s).
import { formatBytes } from './durations.js';
import { lookupMetric } from './metrics.js';

export function formatMetricValue(key: string, value: number): string {
  const found = lookupMetric(key);
  const unit = found.ok ? found.def.unit : 'count';
  switch (unit) {
    case 'bytes':
      return formatBytes(value);
    case 'percent':
      return `${round(value)}%`;
    case 'seconds':
      return `${round(value)}s`;
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

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}
