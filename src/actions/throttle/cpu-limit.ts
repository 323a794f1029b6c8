// A CPU limit on a worker, by the best means this host offers: systemd's CPUQuota for systemd
// workers; for processes medic can see, a cgroup quota (v2 cpu.max, else v1 cfs quota), else a
// renice, saying which. The handle says how to undo it and survives medic restarts as JSON.
import { findCpuCgroupMounts, limitWithCgroup, undoCgroup, type CgroupHandle, type CgroupOptions } from './cgroup-cpu.js';
import { niceForQuota, reniceProcesses, undoRenice, type ReniceHandle } from './renice.js';
import { cpuQuotaArgv, runSystemctl } from './systemd-unit.js';
import { listLiveGroupMembers } from '../../os/process-group.js';
import { readProcessInfo } from '../../os/process-info.js';

export type CpuHandle = CgroupHandle | ReniceHandle | { method: 'systemd'; unit: string; quotaPct: number };

/** A systemd unit, or the main pids of a worker's processes (a group leader stands for its group). */
export type ThrottleTarget = { kind: 'systemd'; unit: string } | { kind: 'processes'; pids: number[] };

export interface CpuDeps {
  systemctl: string;
  timeoutMs: number;
  cgroup?: CgroupOptions;
}

export interface CpuLimitResult {
  handle: CpuHandle | null;
  /** What was done, or why not: `cgroup v1 cpu.cfs_quota_us in /sys/fs/cgroup/cpu/medic/render`. */
  note: string;
  problem?: string;
}

export async function applyCpuLimit(worker: string, target: ThrottleTarget, pct: number, deps: CpuDeps): Promise<CpuLimitResult> {
  if (target.kind === 'systemd') {
    const result = await runSystemctl(cpuQuotaArgv(deps.systemctl, target.unit, pct), deps.timeoutMs);
    if (!result.ok) return { handle: null, note: 'systemd CPUQuota not set', problem: result.problem };
    return { handle: { method: 'systemd', unit: target.unit, quotaPct: pct }, note: `systemd CPUQuota=${pct}% on ${target.unit}` };
  }
  if (target.pids.length === 0) return { handle: null, note: 'no process to limit', problem: `worker ${worker} has no running process` };
  const pids = expandGroups(target.pids);
  const why: string[] = [];
  if (deps.cgroup?.disabled) {
    why.push('cgroups turned off');
  } else {
    const found = findCpuCgroupMounts(deps.cgroup?.mountinfoFile);
    why.push(...found.notes);
    for (const mount of found.mounts) {
      try {
        const handle = limitWithCgroup(mount, worker, pids, pct, deps.cgroup?.groupName);
        const file = mount.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us';
        return { handle, note: `cgroup v${mount.version} ${file} in ${handle.dir}` };
      } catch (error) {
        why.push(`cgroup v${mount.version} at ${mount.mount}: ${(error as Error).message}`);
      }
    }
  }
  try {
    const handle = reniceProcesses(pids, pct);
    return { handle, note: `reniced to ${niceForQuota(pct)} (no writable cgroup: ${why.join('; ') || 'none found'})` };
  } catch (error) {
    return { handle: null, note: 'no CPU limit', problem: `${why.join('; ')}; renice failed: ${(error as Error).message}` };
  }
}

export async function liftCpuLimit(handle: CpuHandle, deps: CpuDeps): Promise<string[]> {
  switch (handle.method) {
    case 'systemd': {
      const result = await runSystemctl(cpuQuotaArgv(deps.systemctl, handle.unit, null), deps.timeoutMs);
      return result.ok ? [] : [result.problem];
    }
    case 'renice':
      return undoRenice(handle);
    default:
      return undoCgroup(handle);
  }
}

/** Every live member of each group a pid leads; the pid alone otherwise. */
export function expandGroups(pids: readonly number[]): number[] {
  const all = new Set<number>();
  for (const pid of pids) {
    if (readProcessInfo(pid)?.pgid === pid) listLiveGroupMembers(pid).forEach((member) => all.add(member));
    else all.add(pid);
  }
  return [...all];
}
