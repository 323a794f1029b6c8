// The samplers against the real /proc, real child processes and real files on this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statfsSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CpuSampler } from '../../src/samplers/cpu.js';
import { listMounts, sampleDisks } from '../../src/samplers/disk.js';
import { diskPathsOf, listLocalMounts } from '../../src/samplers/disk-paths.js';
import { sampleMemory } from '../../src/samplers/memory.js';
import { isProcessAlive, readProcessInfo } from '../../src/os/process-info.js';
import { readPidFile, resolveSystemdPid } from '../../src/samplers/resolve-pid.js';
import { HostSampler } from '../../src/samplers/sample-host.js';
import { WorkerSampler } from '../../src/samplers/worker.js';
import { eventually } from '../helpers/eventually.js';

const MiB = 1024 * 1024;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'medic-samplers-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.stdin?.end();
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
});

function busyLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) Math.sqrt(Math.random());
}


/** Starts a child and resolves with it and its first line of stdout. */
async function spawnWithLine(command: string, args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8');
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code} before printing a line`)));
  });
  return { child, line };
}

/** A node child holding ~50 MB of touched memory. */
function spawnHolder(): Promise<{ child: ChildProcess; line: string }> {
  const script = "globalThis.held = Buffer.alloc(50 * 1024 * 1024, 1); console.log('ready'); setInterval(() => {}, 1000);";
  return spawnWithLine(process.execPath, ['-e', script]);
}

function meminfoBytes(field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(match![1]) * 1024;
}

describe('host samplers', () => {
  it('sampleMemory agrees with /proc/meminfo', () => {
    const { values, unknown } = sampleMemory();
    expect(unknown.size).toBe(0);
    expect(values.get('memory.total')).toBe(meminfoBytes('MemTotal'));
    expect(values.get('memory.available')).toBeGreaterThan(0);
    expect(values.get('memory.available')).toBeLessThanOrEqual(values.get('memory.total')!);
    expect(values.get('memory.used_pct')).toBeGreaterThan(0);
    expect(values.get('memory.used_pct')).toBeLessThan(100);
    expect(values.get('memory.swap_used_pct')).toBeGreaterThanOrEqual(0);
    expect(values.get('memory.swap_used_pct')).toBeLessThanOrEqual(100);
  });

  it('CpuSampler reports usage from the second sample on; load and cores always', () => {
    const sampler = new CpuSampler();
    const first = sampler.sample();
    expect(first.values.has('cpu.usage_pct')).toBe(false);
    expect(first.unknown.get('cpu.usage_pct')).toMatch(/first sample/);
    expect(first.unknown.get('cpu.iowait_pct')).toMatch(/first sample/);
    const cores = readFileSync('/proc/stat', 'utf8').split('\n').filter((line) => /^cpu\d+ /.test(line)).length;
    expect(first.values.get('cpu.cores')).toBe(cores);
    const load1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
    expect(first.values.get('cpu.load1')).toBeCloseTo(load1, 0);
    expect(first.values.get('cpu.load1_per_core')).toBeCloseTo(first.values.get('cpu.load1')! / cores, 5);
    expect(first.values.has('cpu.load5')).toBe(true);
    expect(first.values.has('cpu.load15')).toBe(true);

    busyLoop(50);
    const second = sampler.sample();
    expect(second.unknown.size).toBe(0);
    // This process kept one core busy for the whole stretch.
    expect(second.values.get('cpu.usage_pct')).toBeGreaterThan(0);
    expect(second.values.get('cpu.usage_pct')).toBeLessThanOrEqual(100);
    expect(second.values.get('cpu.iowait_pct')).toBeGreaterThanOrEqual(0);
  });

  it('sampleDisks agrees with statfs and isolates a path that does not exist', () => {
    const { values, unknown } = sampleDisks(['/', '/nope-medic']);
    const stats = statfsSync('/');
    expect(values.get('disk[/].total')).toBe(stats.blocks * stats.bsize);
    expect(values.get('disk[/].free')).toBeLessThanOrEqual(values.get('disk[/].total')!);
    expect(values.get('disk[/].used_pct')).toBeGreaterThan(0);
    expect(values.get('disk[/].used_pct')).toBeLessThan(100);
    expect(values.get('disk[/].inodes_used_pct')).toBeGreaterThan(0);
    for (const field of ['used_pct', 'free', 'total', 'inodes_used_pct']) {
      expect(values.has(`disk[/nope-medic].${field}`)).toBe(false);
      expect(unknown.get(`disk[/nope-medic].${field}`)).toBe('statfs /nope-medic: ENOENT');
    }
  });

  it('listMounts lists real filesystems only', () => {
    const mounts = listMounts();
    expect(mounts).toContain('/');
    for (const virtual of ['/proc', '/sys', '/dev/pts', '/sys/fs/cgroup/cpu']) expect(mounts).not.toContain(virtual);
    expect(new Set(mounts).size).toBe(mounts.length);
  });

  it('the host sampler covers every local mount, plus the paths rules name', async () => {
    const mounts = listLocalMounts();
    expect(mounts).toEqual(listMounts()); // no network filesystems on this machine
    const sampler = new HostSampler({ diskPaths: () => diskPathsOf([], mounts), workerProbes: () => [] });
    const { values } = await sampler.sample(Date.now());
    for (const mount of mounts) {
      expect(values.get(`disk[${mount}].used_pct`), mount).toBeGreaterThanOrEqual(0);
      expect(values.get(`disk[${mount}].free`), mount).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('processes and workers', () => {
  it('reads a live child holding 50 MB, then sees it down once killed', async () => {
    const { child } = await spawnHolder();
    const pid = child.pid!;
    expect(isProcessAlive(pid)).toBe(true);
    expect(readProcessInfo(pid)).toMatchObject({ pid, threads: expect.any(Number) });

    const sampler = new WorkerSampler();
    const probe = { name: 'holder', pid, restarts: 2 };
    const first = sampler.sample([probe], Date.now());
    expect(first.values.get('worker.holder.up')).toBe(1);
    expect(first.values.get('worker.holder.pid')).toBe(pid);
    expect(first.values.get('worker.holder.rss')).toBeGreaterThanOrEqual(50 * MiB);
    expect(first.values.get('worker.holder.restarts')).toBe(2);
    expect(first.values.get('worker.holder.uptime')).toBeGreaterThanOrEqual(0);
    expect(first.values.get('worker.holder.uptime')).toBeLessThan(30);
    expect(first.unknown.get('worker.holder.cpu_pct')).toMatch(/first sample/);

    busyLoop(50);
    const second = sampler.sample([probe], Date.now());
    expect(second.values.get('worker.holder.cpu_pct')).toBeGreaterThanOrEqual(0);
    expect(second.values.get('worker.holder.cpu_pct')).toBeLessThan(100 * 2);

    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(isProcessAlive(pid)).toBe(false);
    expect(readProcessInfo(pid)).toBeNull();
    const third = sampler.sample([probe], Date.now());
    expect(third.values.get('worker.holder.up')).toBe(0);
    expect(third.values.get('worker.holder.restarts')).toBe(2);
    for (const field of ['rss', 'cpu_pct', 'pid', 'uptime']) {
      expect(third.values.has(`worker.holder.${field}`)).toBe(false);
      expect(third.unknown.get(`worker.holder.${field}`)).toMatch(/^worker not running/);
    }
  });

  it('measures this process: cpu_pct after busy work, uptime like process.uptime()', () => {
    const sampler = new WorkerSampler();
    const probe = { name: 'self', pid: process.pid, restarts: 0 };
    const first = sampler.sample([probe], Date.now());
    expect(first.values.get('worker.self.uptime')).toBeCloseTo(process.uptime(), 0);
    busyLoop(50);
    expect(sampler.sample([probe], Date.now()).values.get('worker.self.cpu_pct')).toBeGreaterThan(0);
  });

  it('treats a zombie as dead', async () => {
    // dash does not reap the background `sleep 0` while it blocks in `read`: a zombie until stdin closes.
    const { child, line } = await spawnWithLine('sh', ['-c', 'sleep 0 & echo $!; read line; wait']);
    const zombie = Number(line);
    await eventually(() => readProcessInfo(zombie)?.state === 'Z', `pid ${zombie} to become a zombie`);
    expect(isProcessAlive(zombie)).toBe(false);
    const result = new WorkerSampler().sample([{ name: 'z', pid: zombie, restarts: 0 }], Date.now());
    expect(result.values.get('worker.z.up')).toBe(0);
    expect(result.unknown.get('worker.z.rss')).toMatch(/zombie/);
    child.stdin!.end();
    await once(child, 'exit');
    expect(readProcessInfo(zombie)).toBeNull();
  });

  it('reports up 0 for a null pid and up unknown when the pid could not be found', () => {
    const result = new WorkerSampler().sample(
      [
        { name: 'down', pid: null, restarts: 1 },
        { name: 'lost', pid: null, restarts: 0, pidError: 'pid file /run/x.pid does not exist' },
      ],
      Date.now(),
    );
    expect(result.values.get('worker.down.up')).toBe(0);
    expect(result.unknown.get('worker.down.rss')).toBe('worker not running');
    expect(result.values.has('worker.lost.up')).toBe(false);
    expect(result.unknown.get('worker.lost.up')).toBe('pid file /run/x.pid does not exist');
    expect(result.values.get('worker.lost.restarts')).toBe(0);
  });

  it('heartbeat_age is the age of the file mtime, unknown before the file exists', () => {
    const file = join(dir, 'heartbeat');
    const missing = join(dir, 'no-heartbeat');
    writeFileSync(file, '');
    const at = Date.now();
    utimesSync(file, (at - 30_000) / 1000, (at - 30_000) / 1000);
    const result = new WorkerSampler().sample(
      [
        { name: 'beat', pid: null, restarts: 0, heartbeatFile: file },
        { name: 'silent', pid: null, restarts: 0, heartbeatFile: missing },
      ],
      at,
    );
    expect(result.values.get('worker.beat.heartbeat_age')).toBeCloseTo(30, 1);
    expect(result.values.has('worker.silent.heartbeat_age')).toBe(false);
    expect(result.unknown.get('worker.silent.heartbeat_age')).toBe(`heartbeat file ${missing} does not exist yet`);
  });
});

describe('pid resolution', () => {
  it('readPidFile reads a pid and explains a missing or garbage file', () => {
    const good = join(dir, 'good.pid');
    const garbage = join(dir, 'garbage.pid');
    writeFileSync(good, `${process.pid}\n`);
    writeFileSync(garbage, 'not a pid\n');
    expect(readPidFile(good)).toEqual({ pid: process.pid });
    expect(readPidFile(join(dir, 'missing.pid'))).toEqual({ error: `pid file ${join(dir, 'missing.pid')} does not exist` });
    expect(readPidFile(garbage)).toEqual({ error: `pid file ${garbage} does not hold a pid: "not a pid"` });
  });

  function writeScript(name: string, body: string): string {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('resolveSystemdPid passes argv to systemctl and reads MainPID', async () => {
    const argsFile = join(dir, 'systemctl-args');
    const running = writeScript('systemctl-running', `printf '%s\\n' "$@" > '${argsFile}'; echo 4242`);
    expect(await resolveSystemdPid('render worker.service', { systemctl: running })).toEqual({ pid: 4242 });
    expect(readFileSync(argsFile, 'utf8').split('\n')).toEqual(['show', '--property=MainPID', '--value', '--', 'render worker.service', '']);
    const stopped = writeScript('systemctl-stopped', 'echo 0');
    expect(await resolveSystemdPid('render.service', { systemctl: stopped })).toEqual({ pid: null });
  });

  it('resolveSystemdPid returns errors for failure, a hang and a missing binary', async () => {
    const hanging = writeScript('systemctl-hang', 'exec sleep 30');
    const started = Date.now();
    expect(await resolveSystemdPid('render.service', { systemctl: hanging, timeoutMs: 300 })).toEqual({ error: 'systemctl show render.service timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(3000);
    const missing = await resolveSystemdPid('render.service', { systemctl: join(dir, 'no-systemctl') });
    expect(missing).toMatchObject({ error: expect.stringMatching(/could not start.*ENOENT/) });
  });

  it('resolveSystemdPid with the real systemctl (no systemd here) returns an error without hanging', async () => {
    const result = await resolveSystemdPid('medic-test.service', { timeoutMs: 5000 });
    expect(result).toMatchObject({ error: expect.stringMatching(/^systemctl show medic-test.service (exited with code \d+|could not start)/) });
  });
});

describe('HostSampler', () => {
  it('samples every source, isolating a missing disk path and reporting durations', async () => {
    const { child } = await spawnHolder();
    const sampler = new HostSampler({ diskPaths: () => ['/', '/nope-medic'], workerProbes: async () => [{ name: 'holder', pid: child.pid!, restarts: 0 }] });
    const at = Date.now();
    const snapshot = await sampler.sample(at);
    expect(snapshot.at).toBe(at);
    expect(snapshot.values.get('disk[/].total')).toBeGreaterThan(0);
    expect(snapshot.unknown.get('disk[/nope-medic].free')).toBe('statfs /nope-medic: ENOENT');
    expect(snapshot.values.get('memory.total')).toBe(meminfoBytes('MemTotal'));
    expect(snapshot.values.has('cpu.load1')).toBe(true);
    expect(snapshot.values.get('worker.holder.up')).toBe(1);
    expect(snapshot.values.get('worker.holder.rss')).toBeGreaterThanOrEqual(50 * MiB);
    expect([...snapshot.durationsMs!.keys()].sort()).toEqual(['cpu', 'disk', 'memory', 'workers']);
    for (const ms of snapshot.durationsMs!.values()) expect(ms).toBeGreaterThanOrEqual(0);
    expect(snapshot.unknown.get('cpu.usage_pct')).toMatch(/first sample/);
    busyLoop(50);
    expect((await sampler.sample(Date.now())).values.has('cpu.usage_pct')).toBe(true);
  });

  it('a source that throws is unknown under its name and the others still arrive', async () => {
    const sampler = new HostSampler({
      diskPaths: () => {
        throw new Error('disk list unavailable');
      },
      workerProbes: () => Promise.reject(new Error('probe lookup failed')),
    });
    const snapshot = await sampler.sample(Date.now());
    expect(snapshot.unknown.get('disk')).toBe('disk list unavailable');
    expect(snapshot.unknown.get('workers')).toBe('probe lookup failed');
    expect(snapshot.values.has('memory.total')).toBe(true);
    expect(snapshot.values.has('cpu.cores')).toBe(true);
    expect(snapshot.durationsMs!.size).toBe(4);
  });
});
