// CPU limits on real processes. This host mounts cgroup v2 without the cpu controller (hybrid
// layout) and a writable v1 `cpu` hierarchy, so the quota goes through cpu.cfs_quota_us here; on
// a pure v2 host it goes through cpu.max (the file formats are checked below against a folder
// laid out like cgroupfs). systemd is not PID 1 here: its boundary is systemctl's argv, recorded
// by test/fixtures/bin/systemctl, plus the real systemctl's refusal.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { getPriority } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/helpers/eventually.js';
import { findCpuCgroupMounts, limitWithCgroup, readProcessCgroup, undoCgroup } from './cgroup-cpu.js';
import { applyCpuLimit, liftCpuLimit, type CpuDeps } from './cpu-limit.js';
import { signalWorker } from './pause.js';

const SYSTEMCTL = new URL('../../../test/fixtures/bin/systemctl', import.meta.url).pathname;
const GROUP = `medic-test-${process.pid}`;
const children: ChildProcess[] = [];
let dir: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-cpu-')));
});
afterEach(async () => {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {}
  }
  await rm(dir, { recursive: true, force: true });
});

function startProcess(code: string): number {
  const child = spawn(process.execPath, ['-e', code], { detached: true, stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function cpuShareOver(pid: number, ms: number): Promise<number> {
  const before = cpuTicks(pid);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return ((cpuTicks(pid) - before) / 100) / (ms / 1000);
}

const deps: CpuDeps = { systemctl: SYSTEMCTL, timeoutMs: 5000, cgroup: { groupName: GROUP } };

describe('applyCpuLimit on processes medic can see', () => {
  it('puts a busy process under the quota through the first writable cgroup (renice where none), and lifts it', async () => {
    const pid = startProcess('for (;;) {}');
    const result = await applyCpuLimit('busy', { kind: 'processes', pids: [pid] }, 10, deps);
    expect(result.problem).toBeUndefined();
    const handle = result.handle!;
    try {
      if (handle.method === 'cgroup-v1' || handle.method === 'cgroup-v2') {
        expect(result.note).toMatch(/^cgroup v[12] (cpu\.max|cpu\.cfs_quota_us) in /);
        expect(readProcessCgroup(pid, handle.method === 'cgroup-v2' ? 2 : 1)).toBe(`/${GROUP}/busy`);
        // 10% of one CPU, measured: well under what an unlimited busy loop takes.
        expect(await cpuShareOver(pid, 1000)).toBeLessThan(0.3);
      } else {
        expect(handle.method).toBe('renice');
        expect(getPriority(pid)).toBe(17);
      }
    } finally {
      expect(await liftCpuLimit(handle, deps)).toEqual([]);
    }
    if (handle.method !== 'renice' && handle.method !== 'systemd') {
      expect(existsSync(handle.dir)).toBe(false);
      expect(readProcessCgroup(pid, handle.method === 'cgroup-v2' ? 2 : 1)).toBe(Object.values(handle.origins)[0]);
    }
  });

  it('takes the whole process group: children the worker forked are limited too', async () => {
    const pid = startProcess("require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); setInterval(() => {}, 1000)");
    const child = await eventually(() => childOf(pid), `a child of ${pid}`);
    const result = await applyCpuLimit('tree', { kind: 'processes', pids: [pid] }, 50, { ...deps, cgroup: { disabled: true } });
    try {
      expect(result.note).toBe('reniced to 10 (no writable cgroup: cgroups turned off)');
      expect(getPriority(pid)).toBe(10);
      expect(getPriority(child)).toBe(10);
    } finally {
      await liftCpuLimit(result.handle!, deps);
    }
    expect(getPriority(pid)).toBe(0);
    expect(getPriority(child)).toBe(0);
  });

  it('says so when the worker has no running process', async () => {
    const result = await applyCpuLimit('gone', { kind: 'processes', pids: [] }, 50, deps);
    expect(result).toMatchObject({ handle: null, problem: 'worker gone has no running process' });
  });
});

describe('cgroup discovery and file formats', () => {
  it('reads the mount table: v2 only with the cpu controller, v1 hierarchies that hold cpu', async () => {
    const v2 = path.join(dir, 'unified');
    await mkdir(v2);
    await writeFile(path.join(v2, 'cgroup.controllers'), 'memory pids\n');
    const mountinfo = path.join(dir, 'mountinfo');
    await writeFile(mountinfo, [
      `30 25 0:26 / ${v2} rw,nosuid - cgroup2 cgroup2 rw`,
      '31 25 0:27 / /sys/fs/cgroup/cpu\\040x rw,nosuid - cgroup cgroup rw,cpu,cpuacct',
      '32 25 0:28 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory',
    ].join('\n'));
    expect(findCpuCgroupMounts(mountinfo)).toEqual({ mounts: [{ version: 1, mount: '/sys/fs/cgroup/cpu x' }], notes: [`cgroup v2 at ${v2} has no cpu controller`] });
    await writeFile(path.join(v2, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    expect(findCpuCgroupMounts(mountinfo).mounts[0]).toEqual({ version: 2, mount: v2 });
  });

  it('finds a cpu controller on this host, or says why not', () => {
    const found = findCpuCgroupMounts();
    expect(found.mounts.length + found.notes.length).toBeGreaterThan(0);
  });

  it('v2: writes "quota period" to cpu.max and the pid to cgroup.procs; undo writes "max" and moves it back', async () => {
    const pid = startProcess('setInterval(() => {}, 1000)');
    const mount = path.join(dir, 'cgroup2');
    await mkdir(path.join(mount, 'medic', 'render'), { recursive: true });
    await writeFile(path.join(mount, 'cgroup.subtree_control'), 'cpu memory\n');
    await writeFile(path.join(mount, 'medic', 'render', 'cpu.max'), 'max 100000\n');
    const handle = limitWithCgroup({ version: 2, mount }, 'render', [pid], 25);
    expect(await readFile(path.join(mount, 'medic', 'cgroup.subtree_control'), 'utf8')).toBe('+cpu');
    expect(await readFile(path.join(mount, 'medic', 'render', 'cpu.max'), 'utf8')).toBe('25000 100000');
    expect(await readFile(path.join(mount, 'medic', 'render', 'cgroup.procs'), 'utf8')).toBe(String(pid));
    expect(handle).toMatchObject({ method: 'cgroup-v2', dir: path.join(mount, 'medic', 'render'), quotaPct: 25 });
    undoCgroup(handle);
    expect(await readFile(path.join(mount, 'medic', 'render', 'cpu.max'), 'utf8')).toBe('max 100000');
    const origin = handle.origins[String(pid)]!;
    expect(await readFile(path.join(mount + (origin === '/' ? '' : origin), 'cgroup.procs'), 'utf8')).toBe(String(pid));
  });
});

describe('systemd workers: systemctl argv', () => {
  it('sets and lifts a runtime CPUQuota, and stops/continues every process of the unit', async () => {
    const record = path.join(dir, 'argv');
    process.env['SYSTEMCTL_RECORD_FILE'] = record;
    try {
      const target = { kind: 'systemd', unit: 'render.service' } as const;
      const result = await applyCpuLimit('render', target, 50, deps);
      expect(result).toMatchObject({ handle: { method: 'systemd', unit: 'render.service', quotaPct: 50 }, note: 'systemd CPUQuota=50% on render.service' });
      expect(await readFile(record, 'utf8')).toBe('set-property\n--runtime\nrender.service\nCPUQuota=50%\n');
      expect(await liftCpuLimit(result.handle!, deps)).toEqual([]);
      expect(await readFile(record, 'utf8')).toBe('set-property\n--runtime\nrender.service\nCPUQuota=\n');
      expect(await signalWorker(target, 'SIGSTOP', deps)).toEqual([]);
      expect(await readFile(record, 'utf8')).toBe('kill\n--kill-whom=all\n--signal=SIGSTOP\nrender.service\n');
    } finally {
      delete process.env['SYSTEMCTL_RECORD_FILE'];
    }
  });

  it('reports the real systemctl refusing on a host without systemd as PID 1', async () => {
    const result = await applyCpuLimit('render', { kind: 'systemd', unit: 'render.service' }, 50, { ...deps, systemctl: 'systemctl' });
    expect(result.handle).toBeNull();
    // Where systemd does run, the unit is unknown instead; either way nothing is in force.
    expect(result.problem).toMatch(/systemd is not running on this host|set-property --runtime render.service CPUQuota=50%/);
  });
});

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children === '' ? undefined : Number(children.split(' ')[0]);
  } catch {
    return undefined;
  }
}

