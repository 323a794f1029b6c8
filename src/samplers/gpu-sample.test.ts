import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAbsentSample, buildGpuSample, type GpuLabel, type NvidiaSmiRun } from './gpu-sample.js';

const dir = fileURLToPath(new URL('../../test/fixtures/nvidia-smi/', import.meta.url));
const read = (name: string) => readFileSync(dir + name, 'utf8');
const fields = ['index', 'uuid', 'name', 'temperature.gpu'];
const context = (known: Array<[number, GpuLabel]> = []) => ({ fields, skipped: new Map(), known: new Map(known) });
const run = (stdout: string, exitCode: number | null = 0, timedOut = false): NvidiaSmiRun => ({ exitCode, stdout, output: stdout, timedOut, timeoutMs: 5000, durationMs: 12 });

describe('buildGpuSample', () => {
  it('labels metrics by index and keeps uuid and name aside', () => {
    const sample = buildGpuSample(run('0, GPU-a, NVIDIA H200, 52\n1, GPU-b, NVIDIA H200, 40\n'), context());
    expect(sample.values.get('gpu.0.temperature')).toBe(52);
    expect(sample.values.get('gpu.1.up')).toBe(1);
    expect(sample.values.get('nvidia.healthy')).toBe(1);
    expect(sample.values.get('nvidia.gpus')).toBe(2);
    expect(sample.gpus).toEqual([
      { index: 0, uuid: 'GPU-a', name: 'NVIDIA H200' },
      { index: 1, uuid: 'GPU-b', name: 'NVIDIA H200' },
    ]);
    expect(sample.reason).toBeUndefined();
    expect(sample.unknown.has('nvidia')).toBe(false);
  });

  it('reports a GPU seen before and now missing as down, with the problem line as reason', () => {
    const stdout = `0, GPU-a, NVIDIA A100, 40\n${read('err-device-handle-unknown-error-legacy.txt')}`;
    const sample = buildGpuSample(run(stdout), context([[1, { index: 1, uuid: 'GPU-b', name: 'NVIDIA A100' }]]));
    const reason = 'GPU unreachable (nvidia-smi exit 0): Unable to determine the device handle for GPU 0000:09:00.0: Unknown Error';
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toBe(reason);
    expect(sample.unknown.get('nvidia')).toBe(reason);
    expect(sample.values.get('gpu.0.up')).toBe(1);
    expect(sample.values.get('gpu.1.up')).toBe(0);
    expect(sample.unknown.get('gpu.1.temperature')).toBe(`GPU 1 (GPU-b) missing from nvidia-smi output: ${reason}`);
    expect(sample.values.get('nvidia.gpus')).toBe(1);
    expect(sample.gpus.map((g) => g.index)).toEqual([0, 1]);
  });

  it('marks the host unhealthy when a row carries an error value', () => {
    const sample = buildGpuSample(run('0, GPU-a, NVIDIA A100, [Unknown Error]\n'), context());
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toBe('GPU 0 (GPU-a) reported an error value: temperature.gpu: [Unknown Error]');
    expect(sample.values.get('gpu.0.up')).toBe(1);
    expect(sample.values.has('gpu.0.temperature')).toBe(false);
  });

  it('driver not loaded: healthy 0, GPU count unknown, known GPUs down', () => {
    const output = read('err-driver-not-loaded.txt');
    const sample = buildGpuSample(run(output, 9), context([[0, { index: 0, uuid: 'GPU-a', name: 'NVIDIA A100' }]]));
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toMatch(/^driver not loaded \(nvidia-smi exit 9\): NVIDIA-SMI has failed/);
    expect(sample.unknown.get('nvidia.gpus')).toBe(sample.reason);
    expect(sample.values.get('gpu.0.up')).toBe(0);
  });

  it('a timeout reads nothing from the output', () => {
    const sample = buildGpuSample(run('0, GPU-a, NVIDIA A100, 40\n', null, true), context());
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toBe('nvidia-smi timed out after 5000 ms');
    expect([...sample.values.keys()]).toEqual(['nvidia.healthy']);
  });

  it('a missing nvidia-smi leaves every GPU rule unknown', () => {
    const sample = buildAbsentSample(3);
    expect(sample.present).toBe(false);
    expect(sample.values.size).toBe(0);
    expect(sample.unknown.get('nvidia.healthy')).toBe('nvidia-smi not found');
  });
});
