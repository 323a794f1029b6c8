// Which filesystems the host sampler statfs'es each tick: every real local mount (issue 2: disk
// used % and free bytes per mount), the root, and every path a rule names (`disk[/var/cache].free`).
// The mount list is cached: /proc/self/mounts is read again every few minutes or after a reload,
// never per tick. Network filesystems are left out of the automatic list because statfs on a hung
// NFS or Lustre mount blocks the whole process; a rule that names one still gets it sampled.
import { readFileSync } from 'node:fs';
import { conditionMetrics } from '../core/evaluate-condition.js';
import { parseMetricKey } from '../core/metrics.js';
import type { Rule } from '../core/types.js';
import { parseMounts, selectRealMounts } from './disk.js';

/** How long a read of /proc/self/mounts is trusted. Defaults to 5 minutes. */
export const MOUNT_REFRESH_MS = 5 * 60_000;

const NETWORK_FS_TYPES = new Set([
  'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'ncpfs', 'afs', 'ceph', 'glusterfs', 'lustre', 'gpfs', 'beegfs', 'ocfs2', 'davfs',
]);
const NETWORK_FUSE = /^fuse\.(sshfs|s3fs|rclone|ceph|glusterfs|gcsfuse|goofys|juicefs|davfs2?)$/;

/** Real, local mount points in /proc/self/mounts text, each filesystem once. */
export function selectLocalMounts(mountsText: string): string[] {
  return selectRealMounts(parseMounts(mountsText).filter((entry) => !NETWORK_FS_TYPES.has(entry.fsType) && !NETWORK_FUSE.test(entry.fsType)));
}

export function listLocalMounts(): string[] {
  return selectLocalMounts(readFileSync('/proc/self/mounts', 'utf8'));
}

export interface MountCacheOptions {
  /** Clock (epoch ms). Defaults to Date.now. */
  now?: () => number;
  /** Defaults to MOUNT_REFRESH_MS. */
  refreshMs?: number;
  /** Defaults to listLocalMounts. */
  read?: () => string[];
}

/** The local mounts, read at most once per refreshMs; `invalidate()` (on reload) makes the next call read. */
export class MountCache {
  private mounts: string[] | null = null;
  private readAt = 0;

  constructor(private readonly options: MountCacheOptions = {}) {}

  list(): string[] {
    const at = (this.options.now ?? Date.now)();
    if (this.mounts === null || at - this.readAt >= (this.options.refreshMs ?? MOUNT_REFRESH_MS)) {
      try {
        this.mounts = (this.options.read ?? listLocalMounts)();
      } catch {
        // No /proc/self/mounts (not Linux, a locked-down sandbox): the root and the rules' paths still count.
        this.mounts ??= [];
      }
      this.readAt = at;
    }
    return this.mounts;
  }

  invalidate(): void {
    this.mounts = null;
  }
}

/** The root, then every mount, then the paths the rules ask about; each once. */
export function diskPathsOf(rules: readonly Rule[], mounts: readonly string[]): string[] {
  const paths = new Set<string>(['/', ...mounts]);
  for (const rule of rules) {
    for (const key of conditionMetrics(rule.when)) {
      const parsed = parseMetricKey(key);
      if (parsed?.family === 'disk' && parsed.label) paths.add(parsed.label);
    }
  }
  return [...paths];
}
