// The GPU as a sampling source: a GpuSampler on its own beat, or, when GPU sampling is off or
// nvidia-smi is not installed, a fixed reason why every GPU metric is unknown. Health changes
// (a driver that stops answering, and its return) are logged once each, never per sample.
import type { SamplingSettings } from '../core/types.js';
import { findProgram as findOnPath, type FindProgram } from './find-program.js';
import { GpuSampler, type GpuSample } from './gpu.js';
import type { QueueLog } from './queue/index.js';
import { SourceLane, type LaneResult } from './source-lane.js';

export interface GpuLaneOptions {
  now: () => number;
  log: QueueLog;
  /** Environment nvidia-smi runs with, and whose PATH `enabled: auto` searches. Defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  findProgram?: FindProgram;
}

export type GpuSource = { kind: 'off'; reason: string } | { kind: 'on'; lane: SourceLane; sampler: GpuSampler };

type Health = 'healthy' | 'unhealthy' | 'absent';

/** Keys a GPU source marks unknown when it has no answer to give: the family and host-wide metrics. */
export const GPU_SOURCE_KEYS = ['gpu', 'nvidia', 'nvidia.healthy', 'nvidia.gpus'];

export function createGpuSource(settings: SamplingSettings['gpu'], options: GpuLaneOptions): GpuSource {
  const env = options.env ?? process.env;
  if (settings.enabled === false) return { kind: 'off', reason: 'GPU sampling is off (settings.sampling.gpu.enabled: false)' };
  if (settings.enabled === 'auto' && (options.findProgram ?? findOnPath)(settings.command, env) === null) {
    return { kind: 'off', reason: `${settings.command} not found on PATH (GPU sampling: enabled: auto)` };
  }
  const sampler = new GpuSampler({ command: settings.command, timeoutMs: settings.timeoutMs, ...(options.env ? { env: options.env } : {}) });
  let health: Health | undefined;
  const read = async (): Promise<LaneResult | null> => {
    const sample = await sampler.sample();
    // A repeat means the last nvidia-smi is still alive: nothing new; the result ages out instead.
    if (sample.stale) return null;
    const next = healthOf(sample);
    if (next !== health) logHealth(options.log, health, next, sample, settings.command);
    health = next;
    return { values: sample.values, unknown: sample.unknown, durationsMs: new Map([['gpu', sample.durationMs]]) };
  };
  return { kind: 'on', sampler, lane: new SourceLane({ name: 'gpu', intervalMs: settings.intervalMs, timeoutMs: settings.timeoutMs, read, now: options.now, onError: (message) => options.log('error', message) }) };
}

export function describeGpuSettings(settings: SamplingSettings['gpu']): string {
  return JSON.stringify([settings.enabled, settings.command, settings.timeoutMs]);
}

function healthOf(sample: GpuSample): Health {
  if (!sample.present) return 'absent';
  return sample.values.get('nvidia.healthy') === 1 ? 'healthy' : 'unhealthy';
}

function logHealth(log: QueueLog, before: Health | undefined, now: Health, sample: GpuSample, command: string): void {
  const gpus = sample.gpus.length;
  if (now === 'healthy') log('info', before === undefined ? `GPU sampling: ${gpus} GPU(s) answer ${command}` : `GPU healthy again: ${gpus} GPU(s) answer ${command}`, { gpus });
  else if (now === 'unhealthy') log('warn', `GPU unhealthy: ${sample.reason ?? 'nvidia.healthy is 0'}`, { reason: sample.reason });
  else log('warn', `${command} not found: GPU metrics stay unknown`, { reason: sample.reason });
}
