// Host CPU from /proc/stat (usage needs two readings) and /proc/loadavg.
import { readFileSync } from 'node:fs';
import { formatMetricKey } from '../core/metrics.js';
import { createSampleResult, markUnknown, type SampleResult } from './sample-result.js';

/** Aggregate jiffies from the `cpu` line of /proc/stat. */
export interface CpuTimes {
  total: number;
  idle: number;
  iowait: number;
}

export interface ProcStat {
  times: CpuTimes;
  /** Number of `cpuN` lines: the online cores. */
  cores: number;
}

export function parseProcStat(text: string): ProcStat {
  let times: CpuTimes | undefined;
  let cores = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already in user/nice.
      const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
      times = { total: user + nice + system + idle + iowait + irq + softirq + steal, idle, iowait };
    } else if (/^cpu\d+ /.test(line)) {
      cores += 1;
    }
  }
  if (!times) throw new Error('/proc/stat has no aggregate cpu line');
  return { times, cores };
}

export interface CpuUsage {
  usagePct: number;
  iowaitPct: number;
}

/** Null when no CPU time passed between the readings (two samples within one clock tick). */
export function computeCpuUsage(prev: CpuTimes, next: CpuTimes): CpuUsage | null {
  const total = next.total - prev.total;
  if (total <= 0) return null;
  // The kernel's iowait counter can step backwards; clamp so a glitch never yields a negative share.
  const idle = Math.max(0, next.idle - prev.idle);
  const iowait = Math.max(0, next.iowait - prev.iowait);
  const clampPct = (value: number): number => Math.min(100, Math.max(0, value));
  return { usagePct: clampPct(((total - idle - iowait) / total) * 100), iowaitPct: clampPct((iowait / total) * 100) };
}

const USAGE_FIELDS = ['usage_pct', 'iowait_pct'] as const;

export class CpuSampler {
  private prev: CpuTimes | null = null;

  sample(): SampleResult {
    const result = createSampleResult();
    const stat = parseProcStat(readFileSync('/proc/stat', 'utf8'));
    const [load1, load5, load15] = readFileSync('/proc/loadavg', 'utf8').trim().split(/\s+/).map(Number);
    if (this.prev === null) {
      markUnknown(result, 'cpu', USAGE_FIELDS, 'first sample: CPU usage needs two readings');
      this.prev = stat.times;
    } else {
      const usage = computeCpuUsage(this.prev, stat.times);
      if (usage === null) {
        // Keep the older reading so the next sample measures a longer stretch.
        markUnknown(result, 'cpu', USAGE_FIELDS, 'no CPU time elapsed since the last sample');
      } else {
        result.values.set(formatMetricKey('cpu', 'usage_pct'), usage.usagePct);
        result.values.set(formatMetricKey('cpu', 'iowait_pct'), usage.iowaitPct);
        this.prev = stat.times;
      }
    }
    const loads = { load1, load5, load15 };
    for (const [field, value] of Object.entries(loads)) {
      if (value !== undefined && Number.isFinite(value)) result.values.set(formatMetricKey('cpu', field), value);
      else result.unknown.set(formatMetricKey('cpu', field), '/proc/loadavg could not be parsed');
    }
    if (stat.cores > 0) {
      result.values.set(formatMetricKey('cpu', 'cores'), stat.cores);
      if (load1 !== undefined && Number.isFinite(load1)) result.values.set(formatMetricKey('cpu', 'load1_per_core'), load1 / stat.cores);
      else result.unknown.set(formatMetricKey('cpu', 'load1_per_core'), '/proc/loadavg could not be parsed');
    } else {
      markUnknown(result, 'cpu', ['cores', 'load1_per_core'], '/proc/stat lists no cpuN lines');
    }
    return result;
  }
}
