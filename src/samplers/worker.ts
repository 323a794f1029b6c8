// Per-worker health from /proc/PID and the heartbeat file's mtime. Finding the pid (pid file,
// systemd, medic's own child) is the caller's job: see resolve-pid.ts.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { formatMetricKey } from '../core/metrics.js';
import type { WorkerHealthSpec } from '../core/types.js';
import { describeError, isNotFound } from './describe-error.js';
import { countOpenFds } from './process-fds.js';
import { CLOCK_TICKS_PER_SECOND, readProcessInfo, readUptimeSeconds, type ProcessInfo } from '../os/process-info.js';
import { sampleProcessTrees, type TreeRoot } from './process-tree.js';
import { createSampleResult, markUnknown, mergeSampleResult, type SampleResult } from './sample-result.js';

export interface WorkerProbe {
  name: string;
  /** Main pid, or null when the worker is known to be down (no child, MainPID=0). */
  pid: number | null;
  /** Restarts by medic since medic started. */
  restarts: number;
  heartbeatFile?: string;
  /** Why the pid could not be found (bad pid file, systemctl failed): then `up` itself is unknown. */
  pidError?: string;
  /** HTTP/TCP probes; run by sampleWorkerHealth (worker-health.ts), not by WorkerSampler. */
  health?: WorkerHealthSpec;
}

interface CpuReading {
  pid: number;
  startTicks: number;
  cpuTicks: number;
  /** Monotonic ms, so a wall-clock step never distorts cpu_pct. */
  atMonoMs: number;
}

const PROCESS_FIELDS = ['pid', 'rss', 'cpu_pct', 'uptime', 'threads', 'fds', 'rss_total', 'processes'] as const;

export class WorkerSampler {
  private readonly prevCpu = new Map<string, CpuReading>();

  /** `at` (epoch ms) is the tick's time, against which heartbeat ages are measured. */
  sample(probes: WorkerProbe[], at: number): SampleResult {
    const result = createSampleResult();
    const uptime = lazyUptime();
    const roots: TreeRoot[] = [];
    for (const probe of probes) {
      const key = (field: string): string => formatMetricKey('worker', field, probe.name);
      result.values.set(key('restarts'), probe.restarts);
      if (probe.heartbeatFile !== undefined) sampleHeartbeat(result, key('heartbeat_age'), probe.heartbeatFile, at);
      try {
        const root = this.sampleProcess(result, probe, uptime);
        if (root) roots.push(root);
      } catch (error) {
        markUnknown(result, 'worker', ['up', ...PROCESS_FIELDS], describeError(error), probe.name);
      }
    }
    // One /proc pass for every worker that is up, not one per worker.
    mergeSampleResult(result, sampleProcessTrees(roots));
    const names = new Set(probes.map((probe) => probe.name));
    for (const name of this.prevCpu.keys()) if (!names.has(name)) this.prevCpu.delete(name);
    return result;
  }

  /** The process tree's root when the worker is up, for rss_total and processes. */
  private sampleProcess(result: SampleResult, probe: WorkerProbe, uptime: () => number): TreeRoot | null {
    const key = (field: string): string => formatMetricKey('worker', field, probe.name);
    if (probe.pid === null && probe.pidError !== undefined) {
      markUnknown(result, 'worker', ['up', ...PROCESS_FIELDS], probe.pidError, probe.name);
      return null;
    }
    const info = probe.pid === null ? null : readProcessInfo(probe.pid);
    const downReason = describeDown(probe.pid, info);
    if (downReason !== null || info === null) {
      result.values.set(key('up'), 0);
      markUnknown(result, 'worker', PROCESS_FIELDS, downReason ?? 'worker not running', probe.name);
      this.prevCpu.delete(probe.name);
      return null;
    }
    result.values.set(key('up'), 1);
    result.values.set(key('pid'), info.pid);
    result.values.set(key('rss'), info.rssBytes);
    result.values.set(key('threads'), info.threads);
    const fds = countOpenFds(info.pid);
    if ('count' in fds) result.values.set(key('fds'), fds.count);
    else result.unknown.set(key('fds'), fds.error);
    try {
      result.values.set(key('uptime'), Math.max(0, uptime() - info.startTicks / CLOCK_TICKS_PER_SECOND));
    } catch (error) {
      result.unknown.set(key('uptime'), describeError(error));
    }
    this.sampleCpu(result, key('cpu_pct'), probe.name, info);
    return { name: probe.name, pid: info.pid, rssBytes: info.rssBytes };
  }

  private sampleCpu(result: SampleResult, key: string, name: string, info: ProcessInfo): void {
    const now: CpuReading = { pid: info.pid, startTicks: info.startTicks, cpuTicks: info.cpuTicks, atMonoMs: performance.now() };
    const prev = this.prevCpu.get(name);
    this.prevCpu.set(name, now);
    if (prev === undefined || prev.pid !== now.pid || prev.startTicks !== now.startTicks) {
      result.unknown.set(key, 'first sample of this process: CPU usage needs two readings');
      return;
    }
    const elapsedSeconds = (now.atMonoMs - prev.atMonoMs) / 1000;
    if (elapsedSeconds <= 0) {
      result.unknown.set(key, 'no time elapsed since the last sample');
      return;
    }
    const cpuSeconds = Math.max(0, now.cpuTicks - prev.cpuTicks) / CLOCK_TICKS_PER_SECOND;
    result.values.set(key, (cpuSeconds / elapsedSeconds) * 100);
  }
}

function describeDown(pid: number | null, info: ProcessInfo | null): string | null {
  if (pid === null) return 'worker not running';
  if (info === null) return `worker not running: pid ${pid} is gone`;
  if (info.state === 'Z' || info.state === 'X') return `worker not running: pid ${pid} is a zombie`;
  return null;
}

function sampleHeartbeat(result: SampleResult, key: string, file: string, at: number): void {
  try {
    const ageSeconds = (at - statSync(file).mtimeMs) / 1000;
    // A heartbeat from "the future" (clock step, NFS skew) is fresh, not negative.
    result.values.set(key, Math.max(0, ageSeconds));
  } catch (error) {
    result.unknown.set(key, isNotFound(error) ? `heartbeat file ${file} does not exist yet` : describeError(error));
  }
}

// /proc/uptime is read at most once per sample, and only when a worker is up.
function lazyUptime(): () => number {
  let seconds: number | undefined;
  return () => (seconds ??= readUptimeSeconds());
}
