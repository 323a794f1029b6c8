import { lstat, mkdir, mkdtemp, readdir, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { readdirSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ClearCacheSpec, clearCache } from './clear-cache.js';
import { measureDisk } from './disk-space.js';

const T0 = Date.UTC(2024, 0, 31, 3, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = () => T0;

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-clear-cache-')));
  root = path.join(base, 'cache');
  outside = path.join(base, 'outside');
  await mkdir(root);
  await mkdir(outside);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

/** Writes `bytes` bytes at root/rel, last modified `ageMs` before T0. */
async function put(rel: string, bytes: number, ageMs: number, at = root): Promise<string> {
  const file = path.join(at, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, Buffer.alloc(bytes, 'x'));
  await utimes(file, (T0 - ageMs) / 1000, (T0 - ageMs) / 1000);
  return file;
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

async function listTree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

function sizeOfTree(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOfTree(full);
    else if (entry.isFile()) total += lstatSync(full).size;
  }
  return total;
}

/** a..d: 100/200/300/400 bytes, 4h/3h/2h/1h old; a and b in subfolders. */
async function putFourFiles(): Promise<void> {
  await put('x/a', 100, 4 * HOUR);
  await put('x/y/b', 200, 3 * HOUR);
  await put('c', 300, 2 * HOUR);
  await put('d', 400, HOUR);
}

describe('clearCache modes', () => {
  it('deletes files older than olderThanMs and counts them exactly', async () => {
    await put('old1', 1000, 10 * DAY);
    await put('sub/old2', 2345, 5 * DAY);
    await put('young', 777, DAY);
    const outcome = await clearCache({ dir: root, olderThanMs: 2 * DAY }, { now });
    expect(outcome).toMatchObject({ ok: true, status: 'ok', timedOut: false, exitCode: null, signal: null, outputTail: '' });
    expect(outcome.details).toMatchObject({ filesDeleted: 2, bytesFreed: 3345, filesSkippedRecent: 0, bytesBefore: 4122, bytesAfter: 777, dryRun: false, dirsRemoved: 1 });
    expect(await listTree(root)).toEqual(['young']);
    expect(outcome.message).toContain('deleted 2 files');
  });

  it('deletes oldest first until the folder is at most targetSizeBytes', async () => {
    await putFourFiles();
    const outcome = await clearCache({ dir: root, targetSizeBytes: 600 }, { now });
    expect(outcome.details).toMatchObject({ filesDeleted: 3, bytesFreed: 600, bytesBefore: 1000, bytesAfter: 400 });
    expect(await listTree(root)).toEqual(['d']); // x/ and x/y/ emptied and removed
    expect(outcome.ok).toBe(true);
  });

  it('does nothing when the folder is already under targetSizeBytes', async () => {
    await putFourFiles();
    const outcome = await clearCache({ dir: root, targetSizeBytes: 1000 }, { now });
    expect(outcome.details).toMatchObject({ filesDeleted: 0, bytesFreed: 0, bytesAfter: 1000 });
    expect(outcome.ok).toBe(true);
  });

  it('deletes oldest first until the disk is under targetDiskUsedPct, measuring after each file', async () => {
    await putFourFiles();
    // A pretend disk: 50% used by others plus 1% per 100 bytes in the cache (1000 bytes → 60%).
    const diskUsedPct = (dir: string) => 50 + sizeOfTree(dir) / 100;
    const outcome = await clearCache({ dir: root, targetDiskUsedPct: 55 }, { now, diskUsedPct });
    expect(outcome.details).toMatchObject({ filesDeleted: 3, bytesFreed: 600, diskUsedPctBefore: 60, diskUsedPctAfter: 54 });
    expect(await listTree(root)).toEqual(['d']);
  });

  it('estimates disk usage on a dry run from the filesystem size', async () => {
    await putFourFiles();
    const capacityBytes = measureDisk(root).capacityBytes;
    // 150 bytes over the target: a (100) is not enough, a + b (300) is.
    const startPct = 80 + (150 / capacityBytes) * 100;
    const outcome = await clearCache({ dir: root, targetDiskUsedPct: 80, dryRun: true }, { now, diskUsedPct: () => startPct });
    expect(outcome.details).toMatchObject({ filesDeleted: 2, bytesFreed: 300, dryRun: true, wouldDelete: ['x/a', 'x/y/b'] });
    expect(await listTree(root)).toHaveLength(6); // nothing deleted
  });

  it('reports target-not-reached when recent files keep the folder over the target', async () => {
    await put('old', 100, DAY);
    await put('busy', 5000, 1000); // modified 1 s ago: skipped
    const outcome = await clearCache({ dir: root, targetSizeBytes: 1000 }, { now });
    expect(outcome).toMatchObject({ ok: false, status: 'target-not-reached' });
    expect(outcome.details).toMatchObject({ filesDeleted: 1, bytesFreed: 100, filesSkippedRecent: 1, bytesAfter: 5000 });
    expect(await exists(path.join(root, 'busy'))).toBe(true);
  });

  it('combines age and size: age first, then oldest-first to the size', async () => {
    await putFourFiles();
    const outcome = await clearCache({ dir: root, olderThanMs: 3.5 * HOUR, targetSizeBytes: 800 }, { now });
    // a by age (900 left), then b by size (700 left), then stop.
    expect(outcome.details).toMatchObject({ filesDeleted: 2, bytesFreed: 300, bytesAfter: 700 });
  });
});

describe('clearCache safety', () => {
  it('skips files modified within minAgeMs, and files dated in the future', async () => {
    await put('fresh', 10, 4000);
    await put('future', 10, -HOUR);
    await put('old', 10, 6000);
    const outcome = await clearCache({ dir: root, olderThanMs: 0 }, { now });
    expect(outcome.details).toMatchObject({ filesDeleted: 1, filesSkippedRecent: 2 });
    expect(await listTree(root)).toEqual(['fresh', 'future']);
    const longer = await clearCache({ dir: root, olderThanMs: 0, minAgeMs: 0 }, { now });
    expect(longer.details).toMatchObject({ filesDeleted: 1, filesSkippedRecent: 1 }); // the future one stays
  });

  it('skips a symlink to a file outside: the link stays and the outside file is untouched', async () => {
    const secret = await put('secret', 50, 10 * DAY, outside);
    await symlink(secret, path.join(root, 'link'));
    await put('old', 10, 10 * DAY);
    const outcome = await clearCache({ dir: root, olderThanMs: 0 }, { now });
    expect(outcome.details).toMatchObject({ filesDeleted: 1, bytesBefore: 10, symlinksSkipped: 1 });
    expect(await exists(secret)).toBe(true);
    expect(await exists(path.join(root, 'link'))).toBe(true);
  });

  it('does not enter a symlinked folder that points outside', async () => {
    await put('deep/a', 50, 10 * DAY, outside);
    await symlink(outside, path.join(root, 'dirlink'));
    const outcome = await clearCache({ dir: root, olderThanMs: 0, targetSizeBytes: 0 }, { now });
    expect(outcome.details).toMatchObject({ filesDeleted: 0, bytesBefore: 0, symlinksSkipped: 1 });
    expect(await listTree(outside)).toEqual(['deep', 'deep/a']);
  });

  it('never removes the root, even when everything in it goes', async () => {
    await putFourFiles();
    const outcome = await clearCache({ dir: root, targetSizeBytes: 0 }, { now });
    expect(outcome.details).toMatchObject({ filesDeleted: 4, bytesAfter: 0, dirsRemoved: 2 });
    expect((await lstat(root)).isDirectory()).toBe(true);
    expect(await listTree(root)).toEqual([]);
  });

  it('removes only the folders it emptied', async () => {
    await mkdir(path.join(root, 'was-empty'));
    await put('keep/recent', 10, 1000);
    await put('keep/old', 10, DAY);
    await put('gone/old', 10, DAY);
    await clearCache({ dir: root, olderThanMs: 0 }, { now });
    expect(await listTree(root)).toEqual(['keep', 'keep/recent', 'was-empty']);
  });

  it('deletes nothing on a dry run and lists what would go', async () => {
    await putFourFiles();
    const before = await listTree(root);
    const dry = await clearCache({ dir: root, targetSizeBytes: 600, dryRun: true }, { now });
    expect(await listTree(root)).toEqual(before);
    expect(dry.details).toMatchObject({ filesDeleted: 3, bytesFreed: 600, bytesAfter: 400, dryRun: true, dirsRemoved: 0, wouldDelete: ['x/a', 'x/y/b', 'c'] });
    expect(dry.message).toContain('(dry run): would delete 3 files');
    const real = await clearCache({ dir: root, targetSizeBytes: 600 }, { now });
    expect(real.details).toMatchObject({ filesDeleted: 3, bytesFreed: 600 });
  });

  it('stops between files once timeoutMs has passed and reports what it did', async () => {
    for (let i = 0; i < 6; i += 1) await put(`f${i}`, 10, DAY - i);
    // Time advances one second per file deleted.
    const clock = () => T0 + (6 - readdirSync(root).length) * 1000;
    const outcome = await clearCache({ dir: root, olderThanMs: 0, timeoutMs: 2500 }, { now: clock });
    expect(outcome).toMatchObject({ ok: false, status: 'timed-out', timedOut: true, durationMs: 3000 });
    expect(outcome.details).toMatchObject({ filesDeleted: 3, bytesFreed: 30 });
    expect(await listTree(root)).toEqual(['f3', 'f4', 'f5']); // oldest went first
  });

  it('returns a failed outcome instead of rejecting when something unexpected throws', async () => {
    await put('old', 10, DAY);
    const diskUsedPct = () => {
      throw new Error('statfs broke');
    };
    const outcome = await clearCache({ dir: root, targetDiskUsedPct: 50 }, { now, diskUsedPct });
    expect(outcome).toMatchObject({ ok: false, status: 'failed', timedOut: false, message: 'clear_cache failed: statfs broke' });
    expect(await exists(path.join(root, 'old'))).toBe(true);
  });

  it.each<[string, () => ClearCacheSpec, string]>([
    ['no mode', () => ({ dir: root }), 'at least one of'],
    ['a negative age', () => ({ dir: root, olderThanMs: -1 }), 'olderThanMs must be a number >= 0'],
    ['a percentage over 100', () => ({ dir: root, targetDiskUsedPct: 101 }), '0..100'],
    ['a relative dir', () => ({ dir: 'cache', olderThanMs: 0 }), 'absolute'],
    ['a dir with ..', () => ({ dir: `${root}/../outside`, olderThanMs: 0 }), '".."'],
    ['a string for a number', () => ({ dir: root, olderThanMs: '5' as unknown as number }), 'olderThanMs'],
  ])('refuses a spec with %s', async (_label, spec, reason) => {
    await put('old', 10, DAY, outside);
    const outcome = await clearCache(spec(), { now });
    expect(outcome).toMatchObject({ ok: false, status: 'bad-spec', timedOut: false });
    expect(outcome.message).toContain(reason);
    expect(await exists(path.join(outside, 'old'))).toBe(true);
  });
});
