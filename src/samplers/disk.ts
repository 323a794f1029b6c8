// Disk space per path with statfs (no `df`), and the list of real mounts from /proc/self/mounts.
import { readFileSync, statfsSync } from 'node:fs';
import { formatMetricKey } from '../core/metrics.js';
import { describeError } from './describe-error.js';
import { createSampleResult, markUnknown, type SampleResult } from './sample-result.js';

const DISK_FIELDS = ['used_pct', 'free', 'total', 'inodes_used_pct'] as const;

// Each path is isolated: one that cannot be statted leaves the others known.
export function sampleDisks(paths: string[]): SampleResult {
  const result = createSampleResult();
  for (const path of paths) {
    const key = (field: string): string => formatMetricKey('disk', field, path);
    let stats;
    try {
      stats = statfsSync(path);
    } catch (error) {
      markUnknown(result, 'disk', DISK_FIELDS, describeError(error), path);
      continue;
    }
    result.values.set(key('total'), stats.blocks * stats.bsize);
    result.values.set(key('free'), stats.bavail * stats.bsize);
    // As df counts it: blocks reserved for root are neither used nor available.
    const used = stats.blocks - stats.bfree;
    if (used + stats.bavail > 0) result.values.set(key('used_pct'), (used / (used + stats.bavail)) * 100);
    else result.unknown.set(key('used_pct'), `filesystem at ${path} reports no blocks`);
    if (stats.files > 0) result.values.set(key('inodes_used_pct'), ((stats.files - stats.ffree) / stats.files) * 100);
    else result.unknown.set(key('inodes_used_pct'), `filesystem at ${path} has no inode count`);
  }
  return result;
}

export interface MountEntry {
  source: string;
  mountPoint: string;
  fsType: string;
  options: string[];
}

/** Kernel and runtime filesystems that never hold a worker's data. */
const VIRTUAL_FS_TYPES = new Set([
  'proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'securityfs', 'debugfs', 'tracefs', 'configfs',
  'fusectl', 'mqueue', 'hugetlbfs', 'pstore', 'bpf', 'autofs', 'binfmt_misc', 'efivarfs', 'rpc_pipefs', 'nsfs',
  'ramfs', 'selinuxfs', 'fuse.gvfsd-fuse', 'fuse.portal', 'nfsd',
  // Read-only images (snaps, ISOs) always look 100 % full.
  'squashfs', 'iso9660',
]);
/** tmpfs mounts that can fill up and hurt workers (PyTorch data loaders fill /dev/shm); other tmpfs are runtime dirs. */
const WATCHED_TMPFS = new Set(['/tmp', '/dev/shm', '/var/tmp']);

// /proc/self/mounts escapes space, tab, newline and backslash as octal (\040).
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function parseMounts(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, mountPoint, fsType, options] = line.split(' ');
    if (source === undefined || mountPoint === undefined || fsType === undefined) continue;
    entries.push({ source: unescapeMountField(source), mountPoint: unescapeMountField(mountPoint), fsType, options: (options ?? '').split(',') });
  }
  return entries;
}

export function isRealMount(entry: MountEntry): boolean {
  if (VIRTUAL_FS_TYPES.has(entry.fsType)) return false;
  if (entry.fsType === 'tmpfs') return WATCHED_TMPFS.has(entry.mountPoint);
  return true;
}

/** Mount points of real filesystems, each filesystem once (bind mounts of one device keep the shortest path). */
export function selectRealMounts(entries: MountEntry[]): string[] {
  const byFilesystem = new Map<string, string>();
  for (const entry of entries.filter(isRealMount)) {
    // Device-backed sources name the filesystem; others (overlay, tmpfs, nfs) are told apart by mount point.
    const id = entry.source.startsWith('/dev/') ? entry.source : `${entry.source}@${entry.mountPoint}`;
    const seen = byFilesystem.get(id);
    if (seen === undefined || entry.mountPoint.length < seen.length) byFilesystem.set(id, entry.mountPoint);
  }
  return [...new Set(byFilesystem.values())].sort();
}

export function listMounts(): string[] {
  return selectRealMounts(parseMounts(readFileSync('/proc/self/mounts', 'utf8')));
}
