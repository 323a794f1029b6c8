// GpuSampler against the nvidia-smi stand-in (test/fixtures/bin/nvidia-smi), which replays real
// captures from test/fixtures/nvidia-smi/. Expected numbers are read from the capture files.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { lookupMetric } from '../../src/core/metrics.js';
import { GPU_FAMILY } from '../../src/core/metrics-gpu.js';
import { GpuSampler, type GpuSample, type GpuSamplerOptions } from '../../src/samplers/gpu.js';
import { eventually } from '../helpers/eventually.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const binDir = join(root, 'test/fixtures/bin');
const capturesDir = join(root, 'test/fixtures/nvidia-smi');
const MIB = 1048576;

const H200 = 'csv-h200-590.48.01-load-fullquery.csv';
const MIG = 'csv-h100-mig-590.48.01-idle-fullquery.csv';
const POWER_CAP = 'csv-rtx2080super-595.71.05-idle-fullquery-swpowercap.csv';
const OLD_DRIVER = 'csv-rtx2080super-win-471.11-fullquery-2021.csv';
/** In test/fixtures/nvidia-smi-derived/: H200 with remapped_rows.pending changed to Yes (see its README). */
const REMAP_PENDING = 'csv-h200-590.48.01-load-fullquery-remapped-pending.csv';

/** A full-query capture (a name in capturesDir, or a path) as `field -> raw text` (header units stripped from the names). */
function capture(name: string): Map<string, string> {
  const [header, values] = readFileSync(resolve(capturesDir, name), 'utf8').split('\n');
  const names = header!.split(', ').map((h) => h.replace(/ \[.+\]$/, ''));
  return new Map(values!.split(', ').map((v, i) => [names[i]!, v]));
}
/** `32362 MiB` -> 32362 */
const numberIn = (name: string, field: string) => Number(capture(name).get(field)!.split(' ')[0]);
const firstLineOf = (name: string) => readFileSync(join(capturesDir, name), 'utf8').split('\n')[0]!;

// Every process the fake starts carries this token in its environment, so the test can find it.
let token = '';
const samplers: GpuSampler[] = [];
const tempDirs: string[] = [];

function makeSampler(fixtures: string[], extra: Record<string, string> = {}, options: GpuSamplerOptions = {}): GpuSampler {
  const env = {
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    NVIDIA_SMI_FIXTURES: fixtures.join(':'),
    NVIDIA_SMI_DELAY_MS: '0',
    NVIDIA_SMI_HANG: '0',
    MEDIC_GPU_TEST: token,
    ...extra,
  };
  const sampler = new GpuSampler({ env, ...options });
  samplers.push(sampler);
  return sampler;
}

/** PIDs of running processes started with this test's token (a zombie's environ reads empty). */
function fakeProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (environ.split('\0').includes(`MEDIC_GPU_TEST=${token}`)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}


function expectGpuFromCapture(sample: GpuSample, index: number, name: string): void {
  const raw = capture(name);
  const key = (field: string) => `gpu.${index}.${field}`;
  expect(sample.values.get(key('up'))).toBe(1);
  expect(sample.values.get(key('memory_used'))).toBe(numberIn(name, 'memory.used') * MIB);
  expect(sample.values.get(key('memory_total'))).toBe(numberIn(name, 'memory.total') * MIB);
  expect(sample.values.get(key('temperature'))).toBe(numberIn(name, 'temperature.gpu'));
  expect(sample.values.get(key('power_draw'))).toBe(numberIn(name, 'power.draw'));
  expect(sample.values.get(key('power_limit'))).toBe(numberIn(name, 'enforced.power.limit'));
  expect(sample.gpus.find((g) => g.index === index)?.name).toBe(raw.get('name'));
}

afterEach(async () => {
  for (const sampler of samplers.splice(0)) await sampler.close();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  expect(fakeProcesses()).toEqual([]);
});

describe('GpuSampler with the nvidia-smi stand-in', () => {
  it('reads one GPU under load (H200)', async () => {
    token = randomUUID();
    const sample = await makeSampler([H200]).sample();
    const raw = capture(H200);

    expect(sample.present).toBe(true);
    expect(sample.stale).toBeUndefined();
    expect(sample.reason).toBeUndefined();
    expect(sample.values.get('nvidia.healthy')).toBe(1);
    expect(sample.values.get('nvidia.gpus')).toBe(1);
    expect(sample.gpus).toEqual([{ index: 0, uuid: raw.get('uuid'), name: raw.get('name') }]);
    expectGpuFromCapture(sample, 0, H200);
    expect(sample.values.get('gpu.0.util_pct')).toBe(numberIn(H200, 'utilization.gpu'));
    expect(sample.values.get('gpu.0.mem_util_pct')).toBe(numberIn(H200, 'utilization.memory'));
    expect(sample.values.get('gpu.0.memory_temperature')).toBe(numberIn(H200, 'temperature.memory'));
    expect(sample.values.get('gpu.0.memory_used_pct')).toBeCloseTo((numberIn(H200, 'memory.used') / numberIn(H200, 'memory.total')) * 100, 9);
    expect(sample.values.get('gpu.0.ecc_uncorrected_volatile')).toBe(numberIn(H200, 'ecc.errors.uncorrected.volatile.total'));
    expect(sample.values.get('gpu.0.remapped_rows_pending')).toBe(raw.get('remapped_rows.pending') === 'Yes' ? 1 : 0);
    expect(sample.values.get('gpu.0.throttle_thermal')).toBe(0);
    expect(sample.values.get('gpu.0.throttle_power')).toBe(0);
    // H200 uses row remapping; retired pages read [N/A]: unknown, not 0
    expect(sample.unknown.get('gpu.0.retired_pages_pending')).toBe(`nvidia-smi reported ${raw.get('retired_pages.pending')} for retired_pages.pending`);
    expect(sample.durationMs).toBeGreaterThan(0);
  });

  it('reads several GPUs, each from its own capture, labelled by index with uuids kept', async () => {
    token = randomUUID();
    const sample = await makeSampler([H200, MIG, POWER_CAP]).sample();

    expect(sample.values.get('nvidia.healthy')).toBe(1);
    expect(sample.values.get('nvidia.gpus')).toBe(3);
    // the stand-in renumbers the masked uuids GPU-0000000N-... to the new index
    expect(sample.gpus.map((g) => g.uuid)).toEqual([0, 1, 2].map((n) => `GPU-0000000${n}-0000-0000-0000-00000000000${n}`));
    [H200, MIG, POWER_CAP].forEach((name, index) => expectGpuFromCapture(sample, index, name));
    expect(sample.unknown.has('gpu.1.util_pct')).toBe(true);
    expect(sample.values.get('gpu.2.throttle_power')).toBe(1);
    // every key is in the catalogue, and every catalogue field is either known or explained
    const keys = [...sample.values.keys(), ...sample.unknown.keys()].filter((k) => k !== 'nvidia');
    for (const key of keys) expect(lookupMetric(key).ok, key).toBe(true);
    for (const index of [0, 1, 2]) {
      for (const field of Object.keys(GPU_FAMILY.fields)) expect(keys, `gpu.${index}.${field}`).toContain(`gpu.${index}.${field}`);
    }
  });

  it('MIG: utilization unknown ([N/A]), everything else known, host healthy', async () => {
    token = randomUUID();
    const sample = await makeSampler([MIG]).sample();

    expect(capture(MIG).get('utilization.gpu')).toBe('[N/A]');
    expect(sample.values.has('gpu.0.util_pct')).toBe(false);
    expect(sample.unknown.get('gpu.0.util_pct')).toBe('nvidia-smi reported [N/A] for utilization.gpu');
    expect(sample.unknown.get('gpu.0.mem_util_pct')).toBe('nvidia-smi reported [N/A] for utilization.memory');
    expectGpuFromCapture(sample, 0, MIG);
    expect(sample.values.get('gpu.0.memory_temperature')).toBe(numberIn(MIG, 'temperature.memory'));
    expect(sample.values.get('nvidia.healthy')).toBe(1);
  });

  it('power-cap throttling: throttle_power 1, throttle_thermal 0', async () => {
    token = randomUUID();
    const sample = await makeSampler([POWER_CAP]).sample();

    expect(capture(POWER_CAP).get('clocks_event_reasons.sw_power_cap')).toBe('Active');
    expect(sample.values.get('gpu.0.throttle_power')).toBe(1);
    expect(sample.values.get('gpu.0.throttle_thermal')).toBe(0);
    expect(sample.unknown.get('gpu.0.memory_temperature')).toBe('nvidia-smi reported N/A for temperature.memory');
    expect(sample.unknown.get('gpu.0.ecc_corrected_volatile')).toBe('nvidia-smi reported [N/A] for ecc.errors.corrected.volatile.total');
  });

  it('remapped rows pending (a derived capture: the H200 one with only that field set to Yes): 1', async () => {
    token = randomUUID();
    const derived = join(root, 'test/fixtures/nvidia-smi-derived', REMAP_PENDING);
    const changed = [...capture(derived)].filter(([field, value]) => capture(H200).get(field) !== value);
    expect(changed).toEqual([['remapped_rows.pending', 'Yes']]);
    const sample = await makeSampler([derived]).sample();

    expect(sample.values.get('gpu.0.remapped_rows_pending')).toBe(1);
    expect(sample.values.get('gpu.0.remapped_rows_failure')).toBe(0);
    expect(sample.values.get('nvidia.healthy')).toBe(1);
    expectGpuFromCapture(sample, 0, derived);
  });

  it('an older driver that rejects remapped_rows.*: queries again without them, and remembers', async () => {
    token = randomUUID();
    const sampler = makeSampler([OLD_DRIVER]);
    const first = await sampler.sample();

    expect(first.values.get('nvidia.healthy')).toBe(1);
    expectGpuFromCapture(first, 0, OLD_DRIVER);
    expect(first.values.get('gpu.0.throttle_thermal')).toBe(0);
    expect(first.unknown.get('gpu.0.remapped_rows_pending')).toBe('not queried: this nvidia-smi rejects the field "remapped_rows.pending"');
    expect(sampler.queryFields.filter((f) => f.startsWith('remapped_rows'))).toEqual([]);

    const second = await sampler.sample();
    expect(second.values).toEqual(first.values);
    expect(second.unknown).toEqual(first.unknown);
  });

  it.each([
    ['err-driver-not-loaded.txt', 'driver not loaded (nvidia-smi exit 9)'],
    ['err-nvml-driver-library-mismatch-535.161.txt', 'driver/library version mismatch (nvidia-smi exit 18)'],
    ['err-device-handle-unknown-error-legacy.txt', 'GPU unreachable (nvidia-smi exit 0)'],
  ])('%s: nvidia.healthy 0 with the first line of the message as reason', async (file, prefix) => {
    token = randomUUID();
    const sample = await makeSampler([file]).sample();

    expect(sample.present).toBe(true);
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toBe(`${prefix}: ${firstLineOf(file)}`);
    expect(sample.unknown.get('nvidia')).toBe(sample.reason);
    expect(sample.unknown.get('nvidia.gpus')).toBe(sample.reason);
    expect([...sample.values.keys()].filter((k) => k.startsWith('gpu.'))).toEqual([]);
  });

  it('nvidia-smi not installed: present false, GPU rules stay unknown', async () => {
    token = randomUUID();
    const empty = mkdtempSync(join(tmpdir(), 'medic-gpu-'));
    tempDirs.push(empty);
    const sample = await makeSampler([H200], { PATH: empty }).sample();

    expect(sample.present).toBe(false);
    expect(sample.values.size).toBe(0);
    expect(sample.unknown.get('nvidia.healthy')).toBe('nvidia-smi not found');
    expect(sample.gpus).toEqual([]);
  });

  it('a slow answer under the timeout still brings values', async () => {
    token = randomUUID();
    const sample = await makeSampler([H200], { NVIDIA_SMI_DELAY_MS: '400' }, { timeoutMs: 5000 }).sample();

    expect(sample.values.get('nvidia.healthy')).toBe(1);
    expectGpuFromCapture(sample, 0, H200);
    expect(sample.durationMs).toBeGreaterThanOrEqual(400);
  });

  it('a hung nvidia-smi is killed at the timeout and its process is gone afterwards', async () => {
    token = randomUUID();
    const timeoutMs = 500;
    const sampler = makeSampler([H200], { NVIDIA_SMI_HANG: '1' }, { timeoutMs });
    const startedAt = Date.now();
    const pending = sampler.sample();
    await eventually(() => fakeProcesses().length === 1, 'the hung nvidia-smi to start', 5000);
    const [pid] = fakeProcesses();
    const sample = await pending;
    const elapsedMs = Date.now() - startedAt;

    expect(elapsedMs).toBeLessThan(timeoutMs + 1500);
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toBe('nvidia-smi timed out after 500 ms');
    expect(sample.unknown.get('nvidia.gpus')).toBe(sample.reason);
    // gone from /proc: killed and reaped, not left as a zombie
    await eventually(() => !existsSync(`/proc/${pid}`), 'the hung nvidia-smi to be gone', 3000);

    // once it is gone, the next sample runs nvidia-smi again rather than repeating the last result
    const next = await sampler.sample();
    expect(next.stale).toBeUndefined();
    expect(next.reason).toBe('nvidia-smi timed out after 500 ms');
  });

  it('does not start a second nvidia-smi while one runs: returns the last result, marked stale', async () => {
    token = randomUUID();
    const sampler = makeSampler([H200], { NVIDIA_SMI_DELAY_MS: '1000' });

    const first = sampler.sample();
    const overlapping = await sampler.sample();
    expect(overlapping.stale).toBe(true);
    expect(overlapping.reason).toMatch(/^first nvidia-smi still running after \d+ ms$/);
    expect(overlapping.values.size).toBe(0);
    expect(fakeProcesses()).toHaveLength(1);
    const done = await first;
    expect(done.values.get('nvidia.healthy')).toBe(1);

    const third = sampler.sample();
    const repeat = await sampler.sample();
    expect(repeat.stale).toBe(true);
    expect(repeat.values).toEqual(done.values);
    expect(repeat.gpus).toEqual(done.gpus);
    expect((await third).stale).toBeUndefined();
  });

  it('close() kills a running nvidia-smi', async () => {
    token = randomUUID();
    const sampler = makeSampler([H200], { NVIDIA_SMI_HANG: '1' }, { timeoutMs: 20_000 });
    const pending = sampler.sample();
    await eventually(() => fakeProcesses().length === 1, 'nvidia-smi to start', 5000);
    const [pid] = fakeProcesses();
    await sampler.close();

    expect(existsSync(`/proc/${pid}`)).toBe(false);
    const sample = await pending;
    expect(sample.values.get('nvidia.healthy')).toBe(0);
    expect(sample.reason).toBe('nvidia-smi failed (nvidia-smi killed by a signal, no output)');
  });
});
