// The one atomic writer: a file or symlink planted in the target's folder (which may be a
// worker's to write) never redirects the write, and nothing is left behind.
import { lstat, mkdtemp, readFile, readdir, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempPathFor, writeFileAtomic, writeFileAtomicSync } from './atomic-write.js';

let base: string;
let folder: string;
let victim: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-atomic-')));
  folder = path.join(base, 'worker-writable');
  await import('node:fs/promises').then((fs) => fs.mkdir(folder));
  victim = path.join(base, 'victim');
  await writeFile(victim, 'precious\n');
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const writers = [
  ['writeFileAtomic', (target: string, text: string, temp?: string) => writeFileAtomic(target, text, 0o644, temp)],
  ['writeFileAtomicSync', async (target: string, text: string, temp?: string) => writeFileAtomicSync(target, text, 0o644, temp)],
] as const;

describe.each(writers)('%s', (_name, write) => {
  it('replaces the file and leaves no temp file behind', async () => {
    const target = path.join(folder, 'level');
    await writeFile(target, 'normal\n');
    await write(target, 'degraded\n');
    expect(await readFile(target, 'utf8')).toBe('degraded\n');
    expect(await readdir(folder)).toEqual(['level']);
  });

  it('does not use the old predictable temp name: a symlink planted there is left alone', async () => {
    const target = path.join(folder, 'level');
    const predictable = path.join(folder, `.level.${process.pid}.tmp`);
    await symlink(victim, predictable);
    await write(target, 'degraded\n');
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect(await readFile(target, 'utf8')).toBe('degraded\n');
    expect((await lstat(predictable)).isSymbolicLink()).toBe(true);
  });

  it('refuses to write through a symlink planted at the temp name itself (O_EXCL | O_NOFOLLOW)', async () => {
    const target = path.join(folder, 'level');
    const temp = tempPathFor(target);
    await symlink(victim, temp);
    await expect(write(target, 'degraded\n', temp)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    // the planted link is not medic's: it is neither followed nor removed
    expect((await lstat(temp)).isSymbolicLink()).toBe(true);
  });

  it('refuses a target that is a symlink, leaving what it points at untouched', async () => {
    const target = path.join(folder, 'level');
    await symlink(victim, target);
    await expect(write(target, 'degraded\n')).rejects.toThrow(`refusing to write ${target}: it is a symbolic link`);
    expect(await readFile(victim, 'utf8')).toBe('precious\n');
    expect((await lstat(target)).isSymbolicLink()).toBe(true);
    expect(await readdir(folder)).toEqual(['level']);
  });

  it('names the target, not the temp file, when the folder is missing', async () => {
    const target = path.join(base, 'gone', 'level');
    await expect(write(target, 'x')).rejects.toThrow(`ENOENT: no such file or directory, open '${target}'`);
  });
});

describe('temp names', () => {
  it('are random and sit next to the target', () => {
    const target = '/var/lib/worker/level';
    const a = tempPathFor(target);
    expect(a).toMatch(/^\/var\/lib\/worker\/\.level\.[0-9a-f]{16}\.tmp$/);
    expect(tempPathFor(target)).not.toBe(a);
  });
});
