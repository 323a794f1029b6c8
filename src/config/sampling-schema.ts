// `settings.sampling`: how often, and for how long, each sampling source is read. Every key is
// optional; the defaults are stated here, where the options are declared.
//
//   settings:
//     interval: 5s                 # the tick: rules are evaluated this often
//     sampling:
//       host:   { interval: 5s, timeout: 5s }       # cpu, memory, disk, workers (read in the tick)
//       gpu:    { interval: 15s, timeout: 5s, enabled: auto, command: nvidia-smi }
//       queues: { interval: 10s, timeout: 5s }      # each queue may set its own interval/timeout
import { z } from 'zod';
import type { SamplingSettings } from '../core/types.js';
import { describeValue, durationField, textField } from './fields.js';

export const SAMPLING_DEFAULTS = {
  /** A host read slower than this leaves the tick to the last host values. At least the interval. */
  hostTimeoutMs: 5000,
  gpu: { intervalMs: 15_000, timeoutMs: 5000, enabled: 'auto' as const, command: 'nvidia-smi' },
  queues: { intervalMs: 10_000, timeoutMs: 5000 },
};

function mapping<T extends z.core.$ZodLooseShape>(shape: T, looksLike: string) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' && issue.input !== undefined ? `expected ${looksLike}, got ${describeValue(issue.input)}` : undefined),
  });
}

const timing = {
  interval: durationField({ example: '10s' }).optional(),
  timeout: durationField({ example: '5s' }).optional(),
};

const enabledField = z.unknown().transform((value, ctx): 'auto' | boolean => {
  if (value === 'auto' || value === true || value === false) return value;
  ctx.addIssue({ code: 'custom', input: value, message: `expected auto, true or false, got ${describeValue(value)}` });
  return z.NEVER;
});

export const samplingSchema = mapping(
  {
    host: mapping(timing, 'a mapping like { interval: 5s, timeout: 5s }').optional(),
    gpu: mapping({ ...timing, enabled: enabledField.optional(), command: textField.optional() }, 'a mapping like { interval: 15s, timeout: 5s, enabled: auto }').optional(),
    queues: mapping(timing, 'a mapping like { interval: 10s, timeout: 5s }').optional(),
  },
  'a mapping with host, gpu and queues',
);

export type SamplingInput = z.output<typeof samplingSchema>;

/** Fills in every default; the host's interval defaults to the tick interval (`settings.interval`). */
export function buildSamplingSettings(input: SamplingInput | undefined, tickIntervalMs: number): SamplingSettings {
  const host = input?.host;
  const gpu = input?.gpu;
  const queues = input?.queues;
  return {
    host: { intervalMs: host?.interval ?? tickIntervalMs, timeoutMs: host?.timeout ?? Math.max(SAMPLING_DEFAULTS.hostTimeoutMs, tickIntervalMs) },
    gpu: {
      intervalMs: gpu?.interval ?? SAMPLING_DEFAULTS.gpu.intervalMs,
      timeoutMs: gpu?.timeout ?? SAMPLING_DEFAULTS.gpu.timeoutMs,
      enabled: gpu?.enabled ?? SAMPLING_DEFAULTS.gpu.enabled,
      command: gpu?.command ?? SAMPLING_DEFAULTS.gpu.command,
    },
    queues: { intervalMs: queues?.interval ?? SAMPLING_DEFAULTS.queues.intervalMs, timeoutMs: queues?.timeout ?? SAMPLING_DEFAULTS.queues.timeoutMs },
  };
}
