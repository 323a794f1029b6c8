import { expect, it } from 'vitest';
import { parseMounts, selectRealMounts } from './disk.js';

const MOUNTS = [
  'proc /proc proc rw,relatime 0 0',
  'sysfs /sys sysfs rw,relatime 0 0',
  'tmpfs /run tmpfs rw,nosuid 0 0',
  'tmpfs /dev/shm tmpfs rw,relatime 0 0',
  'tmpfs /dev/shm tmpfs rw,relatime 0 0',
  '/dev/vda / ext4 rw,relatime 0 0',
  '/dev/vda /etc/hosts ext4 rw,relatime 0 0',
  '/dev/vdb /var/lib/my\\040data xfs rw 0 0',
  'overlay /var/lib/docker/overlay2/abc/merged overlay rw 0 0',
  'cgroup /sys/fs/cgroup/cpu cgroup rw,cpu 0 0',
  '/dev/loop3 /snap/core/1 squashfs ro 0 0',
  '',
].join('\n');

it('parseMounts decodes octal escapes in mount points', () => {
  const entry = parseMounts(MOUNTS).find((m) => m.source === '/dev/vdb');
  expect(entry).toEqual({ source: '/dev/vdb', mountPoint: '/var/lib/my data', fsType: 'xfs', options: ['rw'] });
});

it('selectRealMounts keeps real filesystems once, watched tmpfs and overlay', () => {
  expect(selectRealMounts(parseMounts(MOUNTS))).toEqual(['/', '/dev/shm', '/var/lib/docker/overlay2/abc/merged', '/var/lib/my data']);
});
