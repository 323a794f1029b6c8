// A spool directory: depth = regular files in it (names ending with `suffix` when given),
// oldest_age = age of the oldest mtime. Symlinks are neither followed nor counted, nor are
// subdirectories or their contents. A file taken between listing and lstat is not counted.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { answered, down, type QueueReading } from './reading.js';
import type { SpoolSource } from './spec.js';

const LSTAT_BATCH = 64;

export async function readSpoolQueue(source: SpoolSource, now: number): Promise<QueueReading> {
  let names: string[];
  try {
    const entries = await readdir(source.dir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile() && (source.suffix === undefined || e.name.endsWith(source.suffix))).map((e) => e.name);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return down(`cannot list ${source.dir}: ${code}`);
  }
  let count = 0;
  let oldestMs = Infinity;
  for (let i = 0; i < names.length; i += LSTAT_BATCH) {
    const stats = await Promise.all(names.slice(i, i + LSTAT_BATCH).map((name) => lstat(join(source.dir, name)).catch(() => null)));
    for (const stat of stats) {
      if (!stat?.isFile()) continue;
      count += 1;
      oldestMs = Math.min(oldestMs, stat.mtimeMs);
    }
  }
  return answered({ depth: count, oldest_age: count === 0 ? 0 : Math.max(0, (now - oldestMs) / 1000) });
}
