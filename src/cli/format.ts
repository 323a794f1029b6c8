// Human output for the CLI: values with their units, times an engineer can read.
import { formatBytes } from '../core/durations.js';
import { lookupMetric } from '../core/metrics.js';

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

export function formatValues(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}=${formatMetricValue(key, value)}`)
    .join(', ');
}

export function formatTime(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function formatAgo(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

function round(value: number): number {
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10;
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
}
