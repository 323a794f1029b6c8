// One Snapshot per tick from every host source. Each source runs isolated: one that throws
// leaves its metrics unknown (reason under the source name) and the others still arrive.
import { performance } from 'node:perf_hooks';
import type { Snapshot } from '../core/types.js';
import { CpuSampler } from './cpu.js';
import { describeError } from './describe-error.js';
import { sampleDisks } from './disk.js';
import { sampleMemory } from './memory.js';
import { createSampleResult, mergeSampleResult, type SampleResult } from './sample-result.js';
import { WorkerSampler, type WorkerProbe } from './worker.js';
import { sampleWorkerHealth } from './worker-health.js';

export type HostSourceName = 'cpu' | 'memory' | 'disk' | 'workers';

export interface HostSamplerOptions {
  /** Paths to statfs each tick; each becomes a `disk[PATH]` label as given. */
  diskPaths: () => string[];
  /** The workers to look at this tick, with pids already resolved. */
  workerProbes: () => Promise<WorkerProbe[]> | WorkerProbe[];
}

export class HostSampler {
  private readonly cpu = new CpuSampler();
  private readonly workers = new WorkerSampler();

  constructor(private readonly options: HostSamplerOptions) {}

  async sample(at: number): Promise<Snapshot> {
    const snapshot = createSampleResult();
    const durationsMs = new Map<string, number>();
    const run = async (source: HostSourceName, read: () => SampleResult | Promise<SampleResult>): Promise<void> => {
      const startedMs = performance.now();
      try {
        mergeSampleResult(snapshot, await read());
      } catch (error) {
        snapshot.unknown.set(source, describeError(error));
      }
      durationsMs.set(source, performance.now() - startedMs);
    };
    await run('cpu', () => this.cpu.sample());
    await run('memory', () => sampleMemory());
    await run('disk', () => sampleDisks(this.options.diskPaths()));
    await run('workers', async () => {
      const probes = await this.options.workerProbes();
      // The health probes' sockets are in flight while /proc is read; the wait is the longest timeout.
      const health = sampleWorkerHealth(probes);
      const result = this.workers.sample(probes, at);
      mergeSampleResult(result, await health);
      return result;
    });
    return { at, values: snapshot.values, unknown: snapshot.unknown, durationsMs };
  }
}
