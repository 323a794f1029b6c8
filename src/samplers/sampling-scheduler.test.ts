// The sampling scheduler with real sources: /proc for the host, the nvidia-smi stand-in
// (test/fixtures/bin/nvidia-smi replaying real captures) for the GPU, real spool folders and
// real commands for queues. Ages and staleness run on an injected clock.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/helpers/eventually.js';
import type { SamplingSettings } from '../core/types.js';
import { QueueSpecSchema, type QueueSpec } from './queue/spec.js';
import { groupQueuesBySource } from './queue-lanes.js';
import { sampleEverySourceOnce, SamplingScheduler, type SamplingConfig, type SamplingSchedulerOptions } from './sampling-scheduler.js';
import type { WorkerProbe } from './worker.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const binDir = join(root, 'test/fixtures/bin');
const H200 = 'csv-h200-590.48.01-load-fullquery.csv';
const TOKEN = `medic-sched-${process.pid}-${Date.now().toString(36)}`;

/** `temperature.gpu` etc. from the capture itself, so expectations are the capture's numbers. */
function captured(field: string): number {
  const [header, row] = readFileSync(join(root, 'test/fixtures/nvidia-smi', H200), 'utf8').split('\n');
  const names = header!.split(', ').map((h) => h.replace(/ \[.+\]$/, ''));
  return Number(row!.split(', ')[names.indexOf(field)]!.split(' ')[0]);
}

function fakeGpuEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, NVIDIA_SMI_FIXTURES: H200, NVIDIA_SMI_HANG: '0', MEDIC_SCHED_TEST: TOKEN, ...extra };
}

function sampling(overrides: Partial<{ [K in keyof SamplingSettings]: Partial<SamplingSettings[K]> }> = {}): SamplingSettings {
  return {
    host: { intervalMs: 1000, timeoutMs: 2000, ...overrides.host },
    gpu: { intervalMs: 15_000, timeoutMs: 5000, enabled: false, command: 'nvidia-smi', ...overrides.gpu },
    queues: { intervalMs: 10_000, timeoutMs: 5000, ...overrides.queues },
  };
}

function queues(yaml: Record<string, unknown>): Map<string, QueueSpec> {
  return new Map(Object.entries(yaml).map(([name, value]) => [name, QueueSpecSchema.parse(value)]));
}

const clock = { at: 1_000_000 };
const logs: Array<{ level: string; msg: string }> = [];
const schedulers: SamplingScheduler[] = [];
const dirs: string[] = [];

function create(config: SamplingConfig, options: Partial<SamplingSchedulerOptions> = {}): SamplingScheduler {
  const scheduler = new SamplingScheduler({
    config,
    host: { diskPaths: () => ['/'], workerProbes: () => [] },
    now: () => clock.at,
    log: (level, msg) => logs.push({ level, msg }),
    ...options,
  });
  schedulers.push(scheduler);
  return scheduler;
}

function spoolDir(files: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'medic-spool-'));
  dirs.push(dir);
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `${i}.job`), '');
  return dir;
}

/** Processes of the nvidia-smi stand-in started by this file, found by the token in their environment. */
function fakeNvidiaSmis(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`MEDIC_SCHED_TEST=${TOKEN}`);
      } catch {
        return false;
      }
    })
    .map(Number);
}

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.close()));
  dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  logs.length = 0;
  clock.at = 1_000_000;
});

describe('SamplingScheduler: the host', () => {
  it('reads the host in the tick, with a duration per source, and says why GPU metrics are absent', async () => {
    const scheduler = create({ queues: new Map(), settings: { intervalMs: 1000, sampling: sampling() } });
    const snapshot = await scheduler.snapshot(clock.at);
    expect(snapshot.at).toBe(clock.at);
    expect(snapshot.values.get('cpu.cores')).toBeGreaterThan(0);
    expect(snapshot.values.get('disk[/].total')).toBeGreaterThan(0);
    expect([...snapshot.durationsMs!.keys()]).toEqual(['cpu', 'memory', 'disk', 'workers']);
    expect(snapshot.unknown.get('nvidia.healthy')).toBe('GPU sampling is off (settings.sampling.gpu.enabled: false)');
  });

  it('reads the host at most once per host interval when that is slower than the tick', async () => {
    let reads = 0;
    const host = { diskPaths: () => ['/'], workerProbes: () => (reads++, []) };
    const scheduler = create({ queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ host: { intervalMs: 5000 } }) } }, { host });
    for (let tick = 0; tick < 11; tick++) {
      await scheduler.snapshot(clock.at);
      clock.at += 1000;
    }
    // ticks at 0..10 s: reads at 0, 5 and 10 s
    expect(reads).toBe(3);
    await scheduler.snapshot(clock.at, { host: 'now' });
    expect(reads).toBe(4);
  });

  it('a host read slower than its timeout leaves the tick to the last values, logged once; then they go stale', async () => {
    let release: (() => void) | undefined;
    let hang = false;
    const workerProbes = (): Promise<WorkerProbe[]> | WorkerProbe[] => (hang ? new Promise<WorkerProbe[]>((resolve) => (release = () => resolve([]))) : []);
    const scheduler = create({ queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ host: { timeoutMs: 100 } }) } }, { host: { diskPaths: () => ['/'], workerProbes } });
    const first = await scheduler.snapshot(clock.at);
    hang = true;
    clock.at += 1000;
    const started = Date.now();
    const late = await scheduler.snapshot(clock.at);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(late.values.get('memory.total')).toBe(first.values.get('memory.total'));
    clock.at += 1000;
    await scheduler.snapshot(clock.at);
    expect(scheduler.pendingSources).toEqual(['host']);
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.msg)).toEqual(['host sampling took longer than 100 ms; rules see the last host values until it ends']);
    // 3 host intervals after the last finished read, the host's metrics are unknown.
    clock.at += 2000;
    const stale = await scheduler.snapshot(clock.at);
    expect(stale.values.has('memory.total')).toBe(false);
    expect(stale.unknown.get('memory.total')).toBe('stale: last sampled 4.0 s ago (host is read every 1.0 s)');
    hang = false;
    release!();
    clock.at += 1000;
    const back = await scheduler.snapshot(clock.at);
    expect(back.values.get('memory.total')).toBe(first.values.get('memory.total'));
    expect(logs.at(-1)).toEqual({ level: 'info', msg: 'host sampling is back in time' });
  });
});

describe('SamplingScheduler: the GPU', () => {
  it('merges the latest nvidia-smi answer, then marks it stale after 3 intervals without one', async () => {
    const config = { queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ gpu: { enabled: true, intervalMs: 15_000 } }) } };
    const scheduler = create(config, { env: fakeGpuEnv() });
    await scheduler.refreshAll(clock.at);
    const snapshot = await scheduler.snapshot(clock.at);
    expect(snapshot.values.get('gpu.0.temperature')).toBe(captured('temperature.gpu'));
    expect(snapshot.values.get('gpu.0.memory_used')).toBe(captured('memory.used') * 1024 * 1024);
    expect(snapshot.values.get('nvidia.healthy')).toBe(1);
    expect(snapshot.durationsMs!.get('gpu')).toBeGreaterThan(0);
    expect(logs).toEqual([{ level: 'info', msg: 'GPU sampling: 1 GPU(s) answer nvidia-smi' }]);

    clock.at += 45_000;
    expect((await scheduler.snapshot(clock.at)).values.get('gpu.0.temperature')).toBe(captured('temperature.gpu'));
    clock.at += 1;
    const stale = await scheduler.snapshot(clock.at);
    expect(stale.values.has('gpu.0.temperature')).toBe(false);
    expect(stale.unknown.get('gpu.0.temperature')).toBe('stale: last sampled 45 s ago (gpu is read every 15 s)');
    // No answer for that long is itself a sick driver: a rule on nvidia.healthy can page.
    expect(stale.values.get('nvidia.healthy')).toBe(0);
  });

  it('a hung nvidia-smi does not delay host samples: the snapshot comes while the GPU read is pending', async () => {
    const config = { queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ gpu: { enabled: true, timeoutMs: 20_000 } }) } };
    const scheduler = create(config, { env: fakeGpuEnv({ NVIDIA_SMI_HANG: '1' }), now: Date.now });
    // start() waits for first reads, but not for a hung one.
    let started = Date.now();
    await scheduler.start(300);
    expect(Date.now() - started).toBeLessThan(2000);
    await eventually(() => fakeNvidiaSmis().length > 0, 'the hung nvidia-smi to start');
    started = Date.now();
    const snapshot = await scheduler.snapshot(Date.now());
    expect(Date.now() - started).toBeLessThan(2000);
    expect(snapshot.values.get('memory.total')).toBeGreaterThan(0);
    expect(scheduler.pendingSources).toEqual(['gpu']);
    expect(snapshot.unknown.get('nvidia.healthy')).toMatch(/^gpu: first read still running after \d+\.\d s$/);
    expect(snapshot.values.has('nvidia.healthy')).toBe(false);
    // close() kills the whole nvidia-smi group.
    await scheduler.close();
    await eventually(() => fakeNvidiaSmis().length === 0, 'the hung nvidia-smi to be killed');
  });

  it('logs health changes once each, not per sample', async () => {
    const env = fakeGpuEnv();
    const config = { queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ gpu: { enabled: true } }) } };
    const scheduler = create(config, { env });
    await scheduler.refreshAll();
    env.NVIDIA_SMI_FIXTURES = 'err-driver-not-loaded.txt';
    await scheduler.refreshAll();
    await scheduler.refreshAll();
    const sick = await scheduler.snapshot(clock.at);
    expect(sick.values.get('nvidia.healthy')).toBe(0);
    env.NVIDIA_SMI_FIXTURES = H200;
    await scheduler.refreshAll();
    const gpuLogs = logs.filter((l) => l.msg.startsWith('GPU')).map((l) => `${l.level} ${l.msg}`);
    expect(gpuLogs).toHaveLength(3);
    expect(gpuLogs[0]).toBe('info GPU sampling: 1 GPU(s) answer nvidia-smi');
    expect(gpuLogs[1]).toMatch(/^warn GPU unhealthy: driver not loaded \(nvidia-smi exit 9\): NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
    expect(gpuLogs[2]).toBe('info GPU healthy again: 1 GPU(s) answer nvidia-smi');
  });

  it('enabled: auto samples only when the command is on PATH', async () => {
    const absent = create({ queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ gpu: { enabled: 'auto' } }) } }, { findProgram: () => null });
    expect((await absent.snapshot(clock.at)).unknown.get('gpu')).toBe('nvidia-smi not found on PATH (GPU sampling: enabled: auto)');
    const present = create({ queues: new Map(), settings: { intervalMs: 1000, sampling: sampling({ gpu: { enabled: 'auto' } }) } }, { env: fakeGpuEnv() });
    await present.refreshAll(clock.at);
    expect((await present.snapshot(clock.at)).values.get('nvidia.gpus')).toBe(1);
  });
});

describe('SamplingScheduler: queues', () => {
  it('groups queues by broker: one lane per Redis URL, one per other source', () => {
    const specs = queues({
      a: { redis: { url: 'redis://127.0.0.1:6379/0', list: 'a' } },
      b: { redis: { url: 'redis://127.0.0.1:6379/0', zset: 'b' } },
      c: { redis: { url: 'redis://127.0.0.1:6380/0', list: 'c' } },
      d: { spool: { dir: '/tmp' } },
      e: { spool: { dir: '/tmp' } },
    });
    expect([...groupQueuesBySource(specs).values()].map((group) => [...group.keys()])).toEqual([['a', 'b'], ['c'], ['d'], ['e']]);
  });

  it('a queue whose command hangs does not delay another queue', async () => {
    const dir = spoolDir(3);
    const specs = queues({ stuck: { command: ['sleep', '30'], timeout: '20s' }, spool: { spool: { dir, suffix: '.job' } } });
    const scheduler = create({ queues: specs, settings: { intervalMs: 1000, sampling: sampling({ queues: { intervalMs: 200 } }) } }, { now: Date.now });
    await scheduler.start(100);
    const snapshot = await eventually(async () => {
      const s = await scheduler.snapshot(Date.now());
      return s.values.has('queue.spool.depth') && s;
    }, 'the spool queue to be read');
    expect(snapshot.values.get('queue.spool.depth')).toBe(3);
    expect(snapshot.durationsMs!.has('queue.spool')).toBe(true);
    expect(snapshot.unknown.get('queue.stuck.depth')).toMatch(/^queues stuck \(command sleep\): first read still running/);
    expect(scheduler.pendingSources).toEqual(['queues stuck (command sleep)']);
  });

  it('start() resolves once the first reads are in, then keeps reading on the beat', async () => {
    const dir = spoolDir(1);
    const scheduler = create({ queues: queues({ spool: { spool: { dir } } }), settings: { intervalMs: 1000, sampling: sampling({ queues: { intervalMs: 100 } }) } }, { now: Date.now });
    await scheduler.start();
    expect((await scheduler.snapshot(Date.now())).values.get('queue.spool.depth')).toBe(1);
    writeFileSync(join(dir, 'more.job'), '');
    await eventually(async () => (await scheduler.snapshot(Date.now())).values.get('queue.spool.depth') === 2, 'the next beat to see the new file');
  });

  it('reconfigure keeps unchanged queue lanes and reads new ones', async () => {
    const dir = spoolDir(2);
    const one = queues({ a: { spool: { dir } } });
    const scheduler = create({ queues: one, settings: { intervalMs: 1000, sampling: sampling() } });
    await scheduler.refreshAll();
    const two = new Map([...one, ...queues({ b: { command: ['echo', '7'] } })]);
    scheduler.reconfigure({ queues: two, settings: { intervalMs: 1000, sampling: sampling() } });
    const before = await scheduler.snapshot(clock.at);
    // Lane `a` kept its last read; `b` has not been read yet.
    expect(before.values.get('queue.a.depth')).toBe(2);
    expect(before.unknown.get('queue.b.depth')).toBe('queues b (command echo): not read yet');
    await scheduler.refreshAll();
    expect((await scheduler.snapshot(clock.at)).values.get('queue.b.depth')).toBe(7);
  });
});

describe('sampleEverySourceOnce', () => {
  it('reads every source once, the host twice for CPU usage', async () => {
    const dir = spoolDir(4);
    const snapshot = await sampleEverySourceOnce({
      config: { queues: queues({ spool: { spool: { dir } } }), settings: { intervalMs: 5000, sampling: sampling({ gpu: { enabled: true } }) } },
      host: { diskPaths: () => ['/'], workerProbes: () => [] },
      env: fakeGpuEnv(),
    }, 50);
    expect(snapshot.values.get('cpu.usage_pct')).toBeGreaterThanOrEqual(0);
    expect(snapshot.values.get('gpu.0.temperature')).toBe(captured('temperature.gpu'));
    expect(snapshot.values.get('queue.spool.depth')).toBe(4);
    expect([...snapshot.durationsMs!.keys()]).toEqual(['cpu', 'memory', 'disk', 'workers', 'gpu', 'queue.spool']);
  });
});
