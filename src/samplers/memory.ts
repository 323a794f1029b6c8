// Host memory from /proc/meminfo. Throws when the file cannot be read; HostSampler isolates that.
import { readFileSync } from 'node:fs';
import { formatMetricKey } from '../core/metrics.js';
import { createSampleResult, markUnknown, type SampleResult } from './sample-result.js';

/** /proc/meminfo as a map of field -> bytes (the file counts in kB). */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([^:]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line);
    if (!match) continue;
    const value = Number(match[2]);
    fields.set(match[1]!, line.trimEnd().endsWith('kB') ? value * 1024 : value);
  }
  return fields;
}

export function sampleMemory(): SampleResult {
  const result = createSampleResult();
  const info = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
  const total = info.get('MemTotal');
  const available = info.get('MemAvailable');
  if (total !== undefined && total > 0) {
    result.values.set(formatMetricKey('memory', 'total'), total);
  } else {
    markUnknown(result, 'memory', ['total', 'used_pct'], '/proc/meminfo has no MemTotal');
  }
  if (available !== undefined) {
    result.values.set(formatMetricKey('memory', 'available'), available);
    if (total !== undefined && total > 0) result.values.set(formatMetricKey('memory', 'used_pct'), ((total - available) / total) * 100);
  } else {
    // Kernels before 3.14 have no MemAvailable; MemFree alone would overstate pressure.
    markUnknown(result, 'memory', ['available', 'used_pct'], '/proc/meminfo has no MemAvailable');
  }
  const swapTotal = info.get('SwapTotal');
  const swapFree = info.get('SwapFree');
  if (swapTotal === undefined || swapFree === undefined) {
    result.unknown.set(formatMetricKey('memory', 'swap_used_pct'), '/proc/meminfo has no SwapTotal/SwapFree');
  } else {
    result.values.set(formatMetricKey('memory', 'swap_used_pct'), swapTotal === 0 ? 0 : ((swapTotal - swapFree) / swapTotal) * 100);
  }
  return result;
}
