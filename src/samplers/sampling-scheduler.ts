// Every sampling source on its own interval and timeout. The host (cpu, memory, disk, workers) is
// read in the tick, because it is fast and rules about workers want it fresh; the GPU and each
// queue source are read in the background, so a hung nvidia-smi or a dead broker never delays
// the tick or another source. `snapshot(at)` merges the latest result of every source; a result
// older than STALE_AFTER_INTERVALS intervals becomes unknown ("stale: last sampled 47 s ago").
import { performance } from 'node:perf_hooks';
import type { QueueLog, QueueSpec } from './queue/index.js';
import type { SamplingSettings, SourceTiming } from '../core/types.js';
import type { FindProgram } from './find-program.js';
import { createGpuSource, describeGpuSettings, GPU_SOURCE_KEYS, type GpuSource } from './gpu-lane.js';
import { createQueueLane, describeQueueLane, groupQueuesBySource, type QueueLane } from './queue-lanes.js';
import { HostSampler, type HostSamplerOptions } from './sample-host.js';
import { mergeLane, type Merged, type SampledSnapshot } from './merge-lanes.js';
import { SourceLane } from './source-lane.js';

export { STALE_AFTER_INTERVALS, type SampledSnapshot } from './merge-lanes.js';

/** Keys the host source marks unknown before its first read. */
const HOST_SOURCE_KEYS = ['cpu', 'memory', 'disk', 'workers'];
/** How much longer than its own timeout `refreshAll` waits for a background source. */
const GRACE_MS = 1000;
/** How long `start()` waits for the first background reads. */
const FIRST_READ_WAIT_MS = 2000;

/** The parts of Config sampling depends on. */
export interface SamplingConfig {
  queues: ReadonlyMap<string, QueueSpec>;
  settings: { intervalMs: number; sampling: SamplingSettings };
}

export interface SamplingSchedulerOptions {
  config: SamplingConfig;
  host: HostSamplerOptions;
  /** Clock for `at` and ages (epoch ms). Defaults to Date.now. */
  now?: () => number;
  log?: QueueLog;
  /** Environment for nvidia-smi and for the PATH search of `gpu.enabled: auto`. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  findProgram?: FindProgram;
}

export class SamplingScheduler {
  private readonly now: () => number;
  private readonly log: QueueLog;
  private readonly hostSampler: HostSampler;
  private readonly host: SourceLane;
  private hostTiming: SourceTiming;
  private tickIntervalMs: number;
  private hostLate = false;
  private gpu: GpuSource;
  private gpuSignature: string;
  private queueLanes: QueueLane[] = [];
  private started = false;

  constructor(private readonly options: SamplingSchedulerOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    const { settings } = options.config;
    this.tickIntervalMs = settings.intervalMs;
    this.hostTiming = settings.sampling.host;
    this.hostSampler = new HostSampler(options.host);
    this.host = new SourceLane({
      name: 'host',
      intervalMs: this.hostTiming.intervalMs,
      timeoutMs: this.hostTiming.timeoutMs,
      now: this.now,
      onError: (message) => this.log('error', message),
      read: async (at) => {
        const snapshot = await this.hostSampler.sample(at);
        return { values: new Map(snapshot.values), unknown: new Map(snapshot.unknown), durationsMs: new Map(snapshot.durationsMs ?? []) };
      },
    });
    this.gpu = this.createGpu(settings.sampling.gpu);
    this.gpuSignature = describeGpuSettings(settings.sampling.gpu);
    this.queueLanes = this.createQueueLanes(options.config, []);
  }

  /**
   * Starts the background sources (GPU, queues): each reads at once, then on its own beat.
   * Resolves when every first read has ended, or after `waitMs`, so the first tick has their
   * values unless a source is slow.
   */
  async start(waitMs = FIRST_READ_WAIT_MS): Promise<void> {
    this.started = true;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
    });
    await Promise.race([Promise.all(this.backgroundLanes().map((lane) => lane.start())), waited]);
    clearTimeout(timer);
  }

  /** After a reload: new intervals take effect; sources whose settings changed are replaced. */
  reconfigure(config: SamplingConfig): void {
    const { settings } = config;
    this.tickIntervalMs = settings.intervalMs;
    this.hostTiming = settings.sampling.host;
    this.host.retime(this.hostTiming.intervalMs);
    const gpuSignature = describeGpuSettings(settings.sampling.gpu);
    if (gpuSignature !== this.gpuSignature) {
      void this.closeGpu(this.gpu);
      this.gpu = this.createGpu(settings.sampling.gpu);
      this.gpuSignature = gpuSignature;
      if (this.started && this.gpu.kind === 'on') void this.gpu.lane.start();
    } else if (this.gpu.kind === 'on') {
      this.gpu.lane.retime(settings.sampling.gpu.intervalMs);
    }
    const previous = this.queueLanes;
    this.queueLanes = this.createQueueLanes(config, previous);
    for (const old of previous) if (!this.queueLanes.includes(old)) void closeQueueLane(old);
  }

  /**
   * The tick's view: the host read now (when due, waiting at most its timeout) and the latest
   * result of every background source. `host: 'now'` reads the host even when it is not due.
   */
  async snapshot(at: number, options: { host?: 'if-due' | 'now' } = {}): Promise<SampledSnapshot> {
    if (options.host === 'now' || this.isHostDue(at)) await this.refreshHost(at);
    const merged: Merged = { values: new Map(), unknown: new Map(), durationsMs: new Map(), readAt: new Map() };
    mergeLane(merged, this.host, HOST_SOURCE_KEYS, at);
    if (this.gpu.kind === 'off') {
      for (const key of GPU_SOURCE_KEYS) merged.unknown.set(key, this.gpu.reason);
    } else if (mergeLane(merged, this.gpu.lane, GPU_SOURCE_KEYS, at) === 'stale') {
      // No answer from nvidia-smi for several intervals, each bounded by its timeout: the driver is not healthy.
      merged.unknown.delete('nvidia.healthy');
      merged.values.set('nvidia.healthy', 0);
    }
    for (const queue of this.queueLanes) mergeLane(merged, queue.lane, queue.keys, at);
    return { at, ...merged };
  }

  /** One read of every source now, waiting for each (at most its timeout, plus a grace for background ones). */
  async refreshAll(at: number = this.now()): Promise<void> {
    await Promise.all([this.refreshHost(at), ...this.backgroundLanes().map((lane) => lane.refreshWithin(lane.timeoutMs + GRACE_MS, at))]);
  }

  /** Starts a read of every background source now, unless one is running (after an action: its effect shows sooner). */
  requestRefresh(): void {
    for (const lane of this.backgroundLanes()) void lane.refresh();
  }

  /** Names of the sources with a read in flight now ('host', 'gpu', 'queues jobs (redis …)'). */
  get pendingSources(): string[] {
    return [this.host, ...this.backgroundLanes()].filter((lane) => lane.runningSince !== undefined).map((lane) => lane.name);
  }

  /** Stops the beats, kills a running nvidia-smi or queue command, closes broker connections. */
  async close(): Promise<void> {
    this.started = false;
    this.host.stop();
    const queues = this.queueLanes;
    this.queueLanes = [];
    await Promise.all([this.closeGpu(this.gpu), ...queues.map(closeQueueLane)]);
  }

  private isHostDue(at: number): boolean {
    const latest = this.host.latest;
    // Read every tick unless the host is set to a slower beat than the tick.
    if (!latest || this.hostTiming.intervalMs <= this.tickIntervalMs) return true;
    return at - latest.at >= this.hostTiming.intervalMs;
  }

  private async refreshHost(at: number): Promise<void> {
    const deadline = performance.now() + this.hostTiming.timeoutMs;
    let inTime = await this.host.refreshWithin(this.hostTiming.timeoutMs, at);
    // The read that just ended began in an earlier tick (it was late): read again for this one.
    if (inTime && (this.host.latest?.at ?? at) < at) inTime = await this.host.refreshWithin(Math.max(0, deadline - performance.now()), at);
    if (inTime === this.hostLate) {
      this.hostLate = !inTime;
      if (inTime) this.log('info', 'host sampling is back in time');
      else this.log('warn', `host sampling took longer than ${this.hostTiming.timeoutMs} ms; rules see the last host values until it ends`);
    }
  }

  private backgroundLanes(): SourceLane[] {
    return [...(this.gpu.kind === 'on' ? [this.gpu.lane] : []), ...this.queueLanes.map((queue) => queue.lane)];
  }

  private createGpu(settings: SamplingSettings['gpu']): GpuSource {
    const { env, findProgram } = this.options;
    return createGpuSource(settings, { now: this.now, log: this.log, ...(env ? { env } : {}), ...(findProgram ? { findProgram } : {}) });
  }

  private async closeGpu(gpu: GpuSource): Promise<void> {
    if (gpu.kind === 'off') return;
    gpu.lane.stop();
    await gpu.sampler.close();
  }

  /** One lane per source; a lane whose queues and beat did not change is kept, with its history. */
  private createQueueLanes(config: SamplingConfig, reuse: QueueLane[]): QueueLane[] {
    const defaultMs = config.settings.sampling.queues.intervalMs;
    return [...groupQueuesBySource(config.queues).values()].map((queues) => {
      const kept = reuse.find((lane) => lane.signature === describeQueueLane(queues, defaultMs));
      if (kept) return kept;
      const lane = createQueueLane(queues, defaultMs, { now: this.now, log: this.log });
      if (this.started) void lane.lane.start();
      return lane;
    });
  }
}

/**
 * How far apart the one-shot's two CPU readings are, at least. /proc/stat counts in 10 ms ticks per
 * core: over 250 ms a 2-core host had 50 ticks and the share jumped in steps of 2 %; over 400 ms it
 * is 80 ticks, and `medic metrics` still ends in well under a second. A daemon's tick measures over
 * its whole interval; `medic diagnose` shows that value whenever a daemon answers on its socket.
 */
export const ONE_SHOT_CPU_WINDOW_MS = 400;

/** One read of every source, for `medic metrics` and `medic diagnose` (no daemon, no beats). */
export async function sampleEverySourceOnce(options: SamplingSchedulerOptions, cpuWindowMs = ONE_SHOT_CPU_WINDOW_MS): Promise<SampledSnapshot> {
  const scheduler = new SamplingScheduler(options);
  const now = options.now ?? Date.now;
  try {
    const firstReadAt = performance.now();
    await scheduler.refreshAll(now());
    // CPU usage is a rate: it needs two host readings some time apart. Slow GPU or queue reads
    // already count towards the window; only the rest is waited.
    const restMs = cpuWindowMs - (performance.now() - firstReadAt);
    if (restMs > 0) await new Promise((resolve) => setTimeout(resolve, restMs));
    return await scheduler.snapshot(now(), { host: 'now' });
  } finally {
    await scheduler.close();
  }
}

async function closeQueueLane(queue: QueueLane): Promise<void> {
  queue.lane.stop();
  await queue.sampler.close();
}
