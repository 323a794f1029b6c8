import { describe, expect, it } from 'vitest';
import { computeCpuUsage, parseProcStat } from './cpu.js';

describe('parseProcStat', () => {
  it('sums the aggregate line without guest time and counts cpuN lines', () => {
    const text = 'cpu  100 5 50 800 40 2 3 0 7 0\ncpu0 50 2 25 400 20 1 1 0 3 0\ncpu1 50 3 25 400 20 1 2 0 4 0\nintr 1 2\n';
    expect(parseProcStat(text)).toEqual({ times: { total: 1000, idle: 800, iowait: 40 }, cores: 2 });
  });

  it('throws when there is no aggregate line', () => {
    expect(() => parseProcStat('intr 1\n')).toThrow(/no aggregate cpu line/);
  });
});

describe('computeCpuUsage', () => {
  it('counts iowait as idle for usage and reports it on its own', () => {
    // 100 jiffies: 50 idle, 10 iowait, 40 busy.
    expect(computeCpuUsage({ total: 1000, idle: 800, iowait: 40 }, { total: 1100, idle: 850, iowait: 50 })).toEqual({ usagePct: 40, iowaitPct: 10 });
  });

  it('is null when no time passed', () => {
    expect(computeCpuUsage({ total: 1000, idle: 800, iowait: 40 }, { total: 1000, idle: 800, iowait: 40 })).toBeNull();
  });

  it('clamps an iowait counter that stepped backwards', () => {
    const usage = computeCpuUsage({ total: 1000, idle: 800, iowait: 40 }, { total: 1100, idle: 900, iowait: 30 });
    expect(usage).toEqual({ usagePct: 0, iowaitPct: 0 });
  });
});
