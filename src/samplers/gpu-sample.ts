// From one nvidia-smi run (or its absence) to a GpuSample. Pure: the sampler supplies the run,
// the GPUs it has seen before and the fields it left out.
import { formatMetricKey } from '../core/metrics.js';
import type { MetricKey } from '../core/types.js';
import { classifyNvidiaSmiFailure } from './gpu-failure.js';
import { parseGpuCsv } from './gpu-parse.js';
import { readGpuRow, type GpuReading } from './gpu-readings.js';
import { GPU_FAMILY } from '../core/metrics-gpu.js';

export interface GpuLabel {
  index: number;
  uuid: string;
  name: string;
}

export interface GpuSample {
  values: Map<MetricKey, number>;
  /** Why a metric is unknown, by metric key; `nvidia` (a source name) holds `reason` too. */
  unknown: Map<string, string>;
  /** index -> uuid, name for every GPU with metrics in this sample, sorted by index. */
  gpus: GpuLabel[];
  /** False when nvidia-smi is not installed at all. */
  present: boolean;
  durationMs: number;
  /** Why nvidia.healthy is 0 or unknown; absent when healthy. */
  reason?: string;
  /** True when an earlier nvidia-smi was still running and this is the last result again. */
  stale?: boolean;
}

/** What came back from nvidia-smi; `timedOut` runs were killed. */
export interface NvidiaSmiRun {
  exitCode: number | null;
  stdout: string;
  /** stdout and stderr interleaved, for error messages. */
  output: string;
  timedOut: boolean;
  timeoutMs: number;
  durationMs: number;
  /** Set when nvidia-smi could not be started at all (EACCES, ...): the errno code. */
  spawnError?: string;
}

export interface BuildContext {
  fields: string[];
  /** Fields left out of the query, with the reason. */
  skipped: ReadonlyMap<string, string>;
  /** GPUs seen in earlier samples, by index: a missing one is reported as down. */
  known: ReadonlyMap<number, GpuLabel>;
}

const PER_GPU_FIELDS = Object.keys(GPU_FAMILY.fields).filter((f) => f !== 'up');

export function buildGpuSample(run: NvidiaSmiRun, context: BuildContext): GpuSample {
  const csv = run.timedOut ? { rows: [], problems: [] } : parseGpuCsv(run.stdout, context.fields);
  const readings = csv.rows.map((row, position) => readGpuRow(row, position, context.skipped));
  const reason = findFailure(run, csv.problems, readings);
  const sample: GpuSample = { values: new Map(), unknown: new Map(), gpus: [], present: true, durationMs: run.durationMs };

  for (const reading of readings) {
    for (const [field, value] of reading.values) sample.values.set(formatMetricKey('gpu', field, String(reading.index)), value);
    for (const [field, why] of reading.unknown) sample.unknown.set(formatMetricKey('gpu', field, String(reading.index)), why);
    sample.gpus.push({ index: reading.index, uuid: reading.uuid, name: reading.name });
  }
  const answered = new Set(readings.map((r) => r.index));
  for (const [index, label] of context.known) {
    if (answered.has(index)) continue;
    const why = `GPU ${index} (${label.uuid}) missing from nvidia-smi output${reason ? `: ${reason}` : ''}`;
    sample.values.set(formatMetricKey('gpu', 'up', String(index)), 0);
    for (const field of PER_GPU_FIELDS) sample.unknown.set(formatMetricKey('gpu', field, String(index)), why);
    sample.gpus.push(label);
  }
  sample.gpus.sort((a, b) => a.index - b.index);

  sample.values.set('nvidia.healthy', reason ? 0 : 1);
  if (readings.length > 0 || !reason) sample.values.set('nvidia.gpus', readings.length);
  else sample.unknown.set('nvidia.gpus', reason);
  if (reason) {
    sample.reason = reason;
    sample.unknown.set('nvidia', reason);
  }
  return sample;
}

/** nvidia-smi is not installed: no GPU metrics, and rules about GPUs stay unknown. */
export function buildAbsentSample(durationMs: number, why = 'nvidia-smi not found'): GpuSample {
  const unknown = new Map([
    ['nvidia.healthy', why],
    ['nvidia.gpus', why],
    ['nvidia', why],
  ]);
  return { values: new Map(), unknown, gpus: [], present: false, durationMs, reason: why };
}

function findFailure(run: NvidiaSmiRun, problems: string[], readings: GpuReading[]): string | undefined {
  if (run.spawnError !== undefined) return `nvidia-smi could not be started: ${run.spawnError}`;
  if (run.timedOut || run.exitCode !== 0) return classifyNvidiaSmiFailure(run.exitCode, run.output, run.timedOut, run.timeoutMs);
  if (problems.length > 0) return classifyNvidiaSmiFailure(0, problems.join('\n'), false);
  const broken = readings.find((r) => r.errors.length > 0);
  if (broken) return `GPU ${broken.index} (${broken.uuid}) reported an error value: ${broken.errors.join(', ')}`;
  if (readings.length === 0) return classifyNvidiaSmiFailure(0, run.output, false);
  return undefined;
}
