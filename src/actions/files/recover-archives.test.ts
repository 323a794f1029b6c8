import { mkdir, mkdtemp, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoverArchives } from './recover-archives.js';

let base: string;
let dest: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-recover-')));
  dest = path.join(base, 'archive');
  await mkdir(dest);
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('recoverArchives', () => {
  it('removes unfinished archives, completes manifests of finished ones, leaves the rest', async () => {
    await writeFile(path.join(dest, 'a.tar.gz.tmp'), 'partial');
    await writeFile(path.join(dest, 'a.manifest.json.tmp'), '{}'); // its archive never made it
    await writeFile(path.join(dest, 'b.tar.gz'), 'done');
    await writeFile(path.join(dest, 'b.manifest.json.tmp'), '{}'); // crash between the two renames
    await writeFile(path.join(dest, 'c.tar.gz'), 'done');
    await writeFile(path.join(dest, 'c.manifest.json'), '{}');
    await writeFile(path.join(dest, 'notes.tmp'), 'not ours');
    await mkdir(path.join(dest, 'd.tar.gz.tmp'));
    await writeFile(path.join(base, 'outside.tar.gz.tmp'), 'outside');
    await symlink(path.join(base, 'outside.tar.gz.tmp'), path.join(dest, 'e.tar.gz.tmp'));

    const result = await recoverArchives(dest);
    expect(result.removedTemps.sort()).toEqual([path.join(dest, 'a.manifest.json.tmp'), path.join(dest, 'a.tar.gz.tmp')]);
    expect(result.restoredManifests).toEqual([path.join(dest, 'b.manifest.json')]);
    expect((await readdir(dest)).sort()).toEqual(['b.manifest.json', 'b.tar.gz', 'c.manifest.json', 'c.tar.gz', 'd.tar.gz.tmp', 'e.tar.gz.tmp', 'notes.tmp']);
    expect(await readdir(base)).toContain('outside.tar.gz.tmp');
  });

  it('does nothing for a missing dest', async () => {
    expect(await recoverArchives(path.join(base, 'missing'))).toEqual({ removedTemps: [], restoredManifests: [], errors: [] });
  });
});
