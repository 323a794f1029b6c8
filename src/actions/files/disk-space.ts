// Filesystem space as `df` counts it: used / (used + available to unprivileged users).
import { statfsSync } from 'node:fs';

export interface DiskSpace {
  usedPct: number;
  freeBytes: number;
  /** used + available: the denominator of usedPct. */
  capacityBytes: number;
}

export function measureDisk(dir: string): DiskSpace {
  const stats = statfsSync(dir);
  const usedBytes = (stats.blocks - stats.bfree) * stats.bsize;
  const freeBytes = stats.bavail * stats.bsize;
  const capacityBytes = usedBytes + freeBytes;
  return { usedPct: capacityBytes === 0 ? 0 : (usedBytes / capacityBytes) * 100, freeBytes, capacityBytes };
}

export function measureDiskUsedPct(dir: string): number {
  return measureDisk(dir).usedPct;
}

export function measureFreeBytes(dir: string): number {
  return measureDisk(dir).freeBytes;
}
