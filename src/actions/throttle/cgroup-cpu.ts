// CPU quotas for workers medic started, through the cgroup filesystem: cgroup v2 `cpu.max`
// where the cpu controller is available to medic, else a v1 `cpu` hierarchy's
// `cpu.cfs_quota_us` (hybrid hosts mount v2 without the cpu controller, as this one does).
// Medic makes `<mount>/<groupName>/<worker>`, sets the quota there and moves the worker's
// processes in; undoing moves every process back where it came from and removes the folder.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

export interface CgroupOptions {
  /** Folder medic makes its per-worker cgroups under. Defaults to `medic`. */
  groupName?: string;
  /** Mount table to read. Defaults to /proc/self/mountinfo. */
  mountinfoFile?: string;
  /** Skip cgroups entirely (renice instead). */
  disabled?: boolean;
}

export interface CgroupMount {
  version: 1 | 2;
  mount: string;
}

export interface CgroupHandle {
  method: 'cgroup-v2' | 'cgroup-v1';
  mount: string;
  /** The worker's cgroup folder. */
  dir: string;
  quotaPct: number;
  /** Where each moved process was before, relative to the mount. */
  origins: Record<string, string>;
}

const PERIOD_US = 100_000;
/** v1 refuses quotas under 1 ms. */
const MIN_QUOTA_US = 1000;

/** cgroup v2 mounts whose root offers the cpu controller first, then v1 hierarchies holding `cpu`. */
export function findCpuCgroupMounts(mountinfoFile = '/proc/self/mountinfo'): { mounts: CgroupMount[]; notes: string[] } {
  const mounts: CgroupMount[] = [];
  const notes: string[] = [];
  let text: string;
  try {
    text = readFileSync(mountinfoFile, 'utf8');
  } catch (error) {
    return { mounts, notes: [`cannot read ${mountinfoFile}: ${(error as Error).message}`] };
  }
  const v1: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined) continue;
    const mount = unescapeMountPath(left.split(' ')[4] ?? '');
    const [fstype, , superOptions = ''] = right.split(' ');
    if (fstype === 'cgroup2') {
      const controllers = readText(`${mount}/cgroup.controllers`).split(/\s+/);
      if (controllers.includes('cpu')) mounts.push({ version: 2, mount });
      else notes.push(`cgroup v2 at ${mount} has no cpu controller`);
    } else if (fstype === 'cgroup' && superOptions.split(',').includes('cpu')) {
      v1.push({ version: 1, mount });
    }
  }
  if (mounts.length === 0 && v1.length === 0 && !notes.some((n) => n.startsWith('cgroup v2'))) notes.push('no cgroup filesystem with the cpu controller is mounted');
  return { mounts: [...mounts, ...v1], notes };
}

/** Puts `pids` under a CPU quota of `pct` % of one CPU; throws with the reason when the cgroup cannot be written. */
export function limitWithCgroup(target: CgroupMount, worker: string, pids: readonly number[], pct: number, groupName = 'medic'): CgroupHandle {
  const parent = `${target.mount}/${groupName}`;
  const dir = `${parent}/${worker}`;
  const quotaUs = Math.max(MIN_QUOTA_US, Math.round((pct / 100) * PERIOD_US));
  if (target.version === 2) {
    enableCpuController(target.mount);
    mkdirSync(dir, { recursive: true });
    enableCpuController(parent);
    if (!existsSync(`${dir}/cpu.max`)) throw new Error(`${dir}/cpu.max is missing: the cpu controller is not enabled for ${parent}`);
    writeFileSync(`${dir}/cpu.max`, `${quotaUs} ${PERIOD_US}`);
  } else {
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/cpu.cfs_period_us`, String(PERIOD_US));
    writeFileSync(`${dir}/cpu.cfs_quota_us`, String(quotaUs));
  }
  const origins: Record<string, string> = {};
  for (const pid of pids) {
    const origin = readProcessCgroup(pid, target.version);
    if (origin === null) continue; // exited meanwhile
    writeFileSync(`${dir}/cgroup.procs`, String(pid));
    origins[String(pid)] = origin;
  }
  return { method: target.version === 2 ? 'cgroup-v2' : 'cgroup-v1', mount: target.mount, dir, quotaPct: pct, origins };
}

/** Lifts the quota, moves every process in the folder back (children it forked go with their parent's origin), removes the folder. */
export function undoCgroup(handle: CgroupHandle): string[] {
  const problems: string[] = [];
  try {
    if (handle.method === 'cgroup-v2') writeFileSync(`${handle.dir}/cpu.max`, `max ${PERIOD_US}`);
    else writeFileSync(`${handle.dir}/cpu.cfs_quota_us`, '-1');
  } catch (error) {
    if (!isGone(error)) problems.push(`lifting the quota in ${handle.dir} failed: ${(error as Error).message}`);
  }
  const fallbackOrigin = Object.values(handle.origins)[0] ?? '/';
  const members = readText(`${handle.dir}/cgroup.procs`).split('\n').filter((line) => /^\d+$/.test(line));
  for (const pid of members) {
    const origin = handle.origins[pid] ?? fallbackOrigin;
    try {
      writeFileSync(`${handle.mount}${origin === '/' ? '' : origin}/cgroup.procs`, pid);
    } catch (error) {
      if (!isGone(error)) problems.push(`moving pid ${pid} back to ${origin} failed: ${(error as Error).message}`);
    }
  }
  for (const folder of [handle.dir, handle.dir.slice(0, handle.dir.lastIndexOf('/'))]) {
    try {
      rmdirSync(folder);
    } catch {
      // Busy (another worker's folder, a process that would not move) or already gone: harmless.
    }
  }
  return problems;
}

/** The process's cgroup path in that hierarchy (`/`, `/system.slice/x.service`); null when it is gone. */
export function readProcessCgroup(pid: number, version: 1 | 2): string | null {
  const text = readText(`/proc/${pid}/cgroup`);
  for (const line of text.split('\n')) {
    const [id, controllers, ...rest] = line.split(':');
    const path = rest.join(':');
    if (version === 2 && id === '0' && controllers === '') return path;
    if (version === 1 && controllers?.split(',').includes('cpu')) return path;
  }
  return null;
}

function enableCpuController(folder: string): void {
  if (readText(`${folder}/cgroup.subtree_control`).split(/\s+/).includes('cpu')) return;
  writeFileSync(`${folder}/cgroup.subtree_control`, '+cpu');
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isGone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
