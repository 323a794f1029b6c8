import { describe, expect, it } from 'vitest';
import type { Rule } from '../core/types.js';
import { diskPathsOf, MountCache, selectLocalMounts } from './disk-paths.js';

// A GPU host's /proc/self/mounts, trimmed: local disks, runtime dirs, a bind mount and network storage.
const MOUNTS = `proc /proc proc rw,relatime 0 0
sysfs /sys sysfs rw,relatime 0 0
/dev/nvme0n1p2 / ext4 rw,relatime 0 0
/dev/nvme0n1p1 /boot/efi vfat rw,relatime 0 0
/dev/md0 /data xfs rw,relatime 0 0
/dev/md0 /var/lib/docker/volumes/x xfs rw,relatime 0 0
tmpfs /run tmpfs rw,nosuid,nodev 0 0
tmpfs /dev/shm tmpfs rw,nosuid,nodev 0 0
nas:/export/models /mnt/models nfs4 rw,relatime 0 0
10.0.0.5@o2ib:/scratch /scratch lustre rw 0 0
user@box:/home /mnt/box fuse.sshfs rw 0 0
/dev/sdb1 /mnt/with\\040space ext4 rw 0 0
`;

function ruleWhen(metric: string): Rule {
  return {
    name: `r-${metric}`, whenText: `${metric} > 90`, when: { kind: 'compare', metric, op: '>', value: 90, text: `${metric} > 90` },
    hold: { samples: 1 }, ladder: [], verifyMs: 0, budget: { count: 1, windowMs: 1000 }, backoff: { initialMs: 1, maxMs: 1, resetAfterMs: 1 }, severity: 'warning',
  };
}

describe('selectLocalMounts', () => {
  it('keeps every real local filesystem once and leaves out virtual and network ones', () => {
    expect(selectLocalMounts(MOUNTS)).toEqual(['/', '/boot/efi', '/data', '/dev/shm', '/mnt/with space']);
  });
});

describe('MountCache', () => {
  it('reads the mounts once per refresh period, and again after invalidate()', () => {
    let at = 0;
    let reads = 0;
    const cache = new MountCache({ now: () => at, refreshMs: 60_000, read: () => [`/m${++reads}`] });
    expect(cache.list()).toEqual(['/m1']);
    at = 59_999;
    expect(cache.list()).toEqual(['/m1']); // every tick in between: no read
    at = 60_000;
    expect(cache.list()).toEqual(['/m2']);
    cache.invalidate(); // a reload
    expect(cache.list()).toEqual(['/m3']);
    expect(reads).toBe(3);
  });

  it('keeps the last list when a later read fails, and is empty when the first one does', () => {
    let at = 0;
    let fail = true;
    const cache = new MountCache({ now: () => at, refreshMs: 10, read: () => { if (fail) throw new Error('EACCES'); return ['/data']; } });
    expect(cache.list()).toEqual([]);
    fail = false;
    at = 10;
    expect(cache.list()).toEqual(['/data']);
    fail = true;
    at = 20;
    expect(cache.list()).toEqual(['/data']);
  });
});

describe('diskPathsOf', () => {
  it('is the root, every mount, then each path a rule names, each once', () => {
    const rules = [ruleWhen('disk[/var/cache/app].free'), ruleWhen('disk[/data].used_pct'), ruleWhen('cpu.usage_pct')];
    expect(diskPathsOf(rules, ['/', '/data', '/dev/shm'])).toEqual(['/', '/data', '/dev/shm', '/var/cache/app']);
    expect(diskPathsOf([], [])).toEqual(['/']);
  });
});
