import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readFile, readdir, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tar from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ArchiveFilesSpec, archiveFiles } from './archive-files.js';

const T0 = Date.UTC(2024, 0, 31, 3, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = () => T0;

let base: string;
let dir: string;
let dest: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-archive-')));
  dir = path.join(base, 'logs');
  dest = path.join(base, 'archive');
  await mkdir(dir);
  await mkdir(dest);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function put(rel: string, content: string | Buffer, ageMs: number): Promise<void> {
  const file = path.join(dir, rel);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  await utimes(file, (T0 - ageMs) / 1000, (T0 - ageMs) / 1000);
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

async function extract(archive: string): Promise<Map<string, Buffer>> {
  const out = await mkdtemp(path.join(base, 'extract-'));
  await tar.x({ file: archive, cwd: out, strict: true });
  const files = new Map<string, Buffer>();
  for (const rel of await readdir(out, { recursive: true })) {
    const full = path.join(out, String(rel));
    if ((await lstat(full)).isFile()) files.set(String(rel), await readFile(full));
  }
  return files;
}

describe('archiveFiles', () => {
  it('moves matching old files into a verified archive with a manifest', async () => {
    const contents: Record<string, Buffer> = {
      'app.log': Buffer.from('line 1\nline 2\n'),
      'worker/render.log': Buffer.alloc(70_000, 'r'), // more than one tar block, not a multiple of 512
      'worker/empty.log': Buffer.alloc(0),
    };
    for (const [rel, content] of Object.entries(contents)) await put(rel, content, DAY);
    await put('notes.txt', 'not matched', DAY);
    await put('current.log', 'still being written', 1000);

    const outcome = await archiveFiles({ dir, dest, match: '*.log' }, { now });
    expect(outcome).toMatchObject({ ok: true, status: 'ok', timedOut: false, exitCode: null, signal: null, outputTail: '' });
    const archive = `${dest}/logs-20240131T030000Z.tar.gz`;
    expect(outcome.details).toMatchObject({ archive, files: 3, bytes: 70_014, filesRemoved: 3, filesSkippedRecent: 1, dryRun: false });
    expect((await readdir(dest)).sort()).toEqual(['logs-20240131T030000Z.manifest.json', 'logs-20240131T030000Z.tar.gz']);

    // Originals gone, the rest untouched.
    expect((await readdir(dir, { recursive: true })).map(String).sort()).toEqual(['current.log', 'notes.txt', 'worker']);
    // Extracted content equals the originals.
    const extracted = await extract(archive);
    expect([...extracted.keys()].sort()).toEqual(Object.keys(contents).sort());
    for (const [rel, content] of Object.entries(contents)) expect(extracted.get(rel)!.equals(content)).toBe(true);

    const manifest = JSON.parse(await readFile(`${dest}/logs-20240131T030000Z.manifest.json`, 'utf8'));
    expect(manifest).toMatchObject({ archive: 'logs-20240131T030000Z.tar.gz', sourceDir: dir, createdAt: '2024-01-31T03:00:00.000Z' });
    const expected = Object.entries(contents)
      .map(([rel, content]) => ({ path: rel, size: content.length, mtimeMs: T0 - DAY, sha256: sha256(content) }))
      .sort((a, b) => a.path.localeCompare(b.path));
    expect([...manifest.files].sort((a, b) => a.path.localeCompare(b.path))).toEqual(expected);
    expect(outcome.details!['manifest']).toEqual(manifest.files);
  });

  it('round-trips odd names exactly, and leaves a name tar cannot hold in place', async () => {
    const names = ['with space', 'quote"s\'', '$(touch pwned)', '`id`', '-rf', 'new\nline', 'é😀', `${'d'.repeat(120)}/${'f'.repeat(200)}`, 'ü'.repeat(127)];
    for (const [i, name] of names.entries()) await put(name, `content ${i}`, DAY);
    const unholdable = `${'n'.repeat(150)}\nx`; // long enough for a pax path, which node-tar cuts at "\n"
    await put(unholdable, 'stays', DAY);
    const outcome = await archiveFiles({ dir, dest }, { now });
    expect(outcome).toMatchObject({ ok: true, status: 'ok' });
    expect(outcome.details).toMatchObject({ files: names.length, filesRemoved: names.length, filesSkippedName: [unholdable] });
    const extracted = await extract(String(outcome.details!['archive']));
    for (const [i, name] of names.entries()) expect(extracted.get(name)?.toString()).toBe(`content ${i}`);
    expect(await readFile(path.join(dir, unholdable), 'utf8')).toBe('stays');
    expect(await exists(path.join(base, 'pwned'))).toBe(false);
  });

  it('refuses with no-room when dest cannot hold the uncompressed size, writing nothing', async () => {
    await put('big.log', Buffer.alloc(10_000, 'b'), DAY);
    const outcome = await archiveFiles({ dir, dest }, { now, freeBytes: () => 10_000 });
    expect(outcome).toMatchObject({ ok: false, status: 'no-room' });
    expect(outcome.details!['neededBytes']).toBeGreaterThan(10_000);
    expect(await readdir(dest)).toEqual([]);
    expect(await exists(path.join(dir, 'big.log'))).toBe(true);
  });

  it('writes and deletes nothing on a dry run', async () => {
    await put('a.log', 'a', 2 * DAY);
    await put('b.log', 'bb', DAY);
    const outcome = await archiveFiles({ dir, dest, dryRun: true }, { now });
    expect(outcome).toMatchObject({ ok: true, status: 'ok' });
    expect(outcome.details).toMatchObject({ dryRun: true, files: 2, bytes: 3, wouldArchive: ['a.log', 'b.log'] });
    expect(await readdir(dest)).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['a.log', 'b.log']);
  });

  it('selects by age and by folder size, oldest first', async () => {
    await put('a.log', Buffer.alloc(100), 4 * HOUR);
    await put('b.log', Buffer.alloc(200), 3 * HOUR);
    await put('c.log', Buffer.alloc(300), 2 * HOUR);
    const byAge = await archiveFiles({ dir, dest, olderThanMs: 3.5 * HOUR, dryRun: true }, { now });
    expect(byAge.details).toMatchObject({ wouldArchive: ['a.log'] });
    const bySize = await archiveFiles({ dir, dest, targetSizeBytes: 300 }, { now });
    expect(bySize.details).toMatchObject({ files: 2, bytes: 300, filesRemoved: 2 });
    expect(await readdir(dir)).toEqual(['c.log']);
  });

  it('leaves out and keeps a file that changed after selection', async () => {
    await put('a.log', 'a', DAY);
    await put('b.log', 'b', DAY);
    // freeBytes is consulted after selection and before writing: change b.log in between.
    const freeBytes = () => {
      writeFileSync(path.join(dir, 'b.log'), 'b changed');
      return Number.MAX_SAFE_INTEGER;
    };
    const outcome = await archiveFiles({ dir, dest }, { now, freeBytes });
    expect(outcome.details).toMatchObject({ files: 1, filesRemoved: 1, filesLeftOut: ['b.log'] });
    expect(await readFile(path.join(dir, 'b.log'), 'utf8')).toBe('b changed');
  });

  it('picks a new name when the archive name is taken', async () => {
    await put('a.log', 'a', DAY);
    await archiveFiles({ dir, dest }, { now });
    await put('a.log', 'a again', DAY);
    const second = await archiveFiles({ dir, dest }, { now });
    expect(second.details!['archive']).toBe(`${dest}/logs-20240131T030000Z-2.tar.gz`);
    expect(await readdir(dest)).toHaveLength(4);
  });

  it('reports ok with no archive when nothing matches', async () => {
    await put('a.txt', 'a', DAY);
    const outcome = await archiveFiles({ dir, dest, match: '*.log' }, { now });
    expect(outcome).toMatchObject({ ok: true, status: 'ok', message: `archive_files ${dir}: nothing to archive` });
    expect(outcome.details).toMatchObject({ archive: null, files: 0 });
    expect(await readdir(dest)).toEqual([]);
  });

  it('times out before archiving anything when the clock runs past timeoutMs', async () => {
    await put('a.log', 'a', DAY);
    let t = T0;
    const outcome = await archiveFiles({ dir, dest, timeoutMs: 0 }, { now: () => (t += 1) });
    expect(outcome).toMatchObject({ ok: false, status: 'timed-out', timedOut: true });
    expect(await readdir(dest)).toEqual([]);
    expect(await readdir(dir)).toEqual(['a.log']);
  });

  it.each<[string, () => ArchiveFilesSpec, string]>([
    ['dest inside dir', () => ({ dir, dest: path.join(dir, 'archive') }), 'inside dir'],
    ['dest equal to dir', () => ({ dir, dest: dir }), 'inside dir'],
    ['a missing dest', () => ({ dir, dest: path.join(base, 'missing') }), 'ENOENT'],
    ['a relative dest', () => ({ dir, dest: 'archive' }), 'absolute'],
    ['a match with a slash', () => ({ dir, dest, match: 'sub/*.log' }), '"/"'],
    ['a name template with a slash', () => ({ dir, dest, nameTemplate: '../{dir}' }), 'plain file name'],
    ['an unknown placeholder', () => ({ dir, dest, nameTemplate: '{host}-{time}' }), '{host}'],
  ])('refuses %s', async (_label, spec, reason) => {
    await mkdir(path.join(dir, 'archive'), { recursive: true });
    await put('a.log', 'a', DAY);
    const outcome = await archiveFiles(spec(), { now });
    expect(outcome).toMatchObject({ ok: false, status: 'bad-spec' });
    expect(outcome.message).toContain(reason);
    expect(await exists(path.join(dir, 'a.log'))).toBe(true);
  });
});
