import { execFileSync } from 'node:child_process';
import { appendFile, lstat, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeEmptiedDirs, unlinkIfUnchanged } from './unlink-checked.js';
import { walkTree } from './walk-tree.js';

let base: string;
let root: string;
let rootDev: number;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-walk-')));
  root = path.join(base, 'root');
  await mkdir(path.join(root, 'a', 'b'), { recursive: true });
  await mkdir(path.join(base, 'outside'));
  await writeFile(path.join(base, 'outside', 'secret'), 'secret');
  rootDev = (await lstat(root)).dev;
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('walkTree', () => {
  it('lists regular files with relative paths and skips symlinks and special files', async () => {
    await writeFile(path.join(root, 'top'), '1');
    await writeFile(path.join(root, 'a', 'b', 'deep file'), '22');
    await symlink(path.join(base, 'outside', 'secret'), path.join(root, 'file-link'));
    await symlink(path.join(base, 'outside'), path.join(root, 'a', 'dir-link'));
    await symlink('/nonexistent', path.join(root, 'dangling'));
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    const walk = await walkTree(root, { rootDev });
    expect(walk.files.map((file) => [file.rel, file.size]).sort()).toEqual([
      ['a/b/deep file', 2],
      ['top', 1],
    ]);
    expect(walk).toMatchObject({ symlinksSkipped: 3, specialSkipped: 1, mountsSkipped: 0, timedOut: false });
    expect(walk.files.every((file) => file.path === `${root}/${file.rel}`)).toBe(true);
  });

  it('stops when overdue', async () => {
    await writeFile(path.join(root, 'top'), '1');
    const walk = await walkTree(root, { rootDev, isOverdue: () => true });
    expect(walk).toMatchObject({ timedOut: true, files: [] });
  });
});

describe('unlinkIfUnchanged', () => {
  it('deletes an unchanged file, keeps a changed or replaced one', async () => {
    for (const name of ['same', 'grown', 'replaced']) await writeFile(path.join(root, name), 'data');
    const files = (await walkTree(root, { rootDev })).files;
    const entry = (name: string) => files.find((file) => file.rel === name)!;
    await appendFile(path.join(root, 'grown'), 'more');
    await rm(path.join(root, 'replaced'));
    await symlink(path.join(base, 'outside', 'secret'), path.join(root, 'replaced'));
    expect(await unlinkIfUnchanged(root, entry('same'))).toEqual({ kind: 'deleted' });
    expect(await unlinkIfUnchanged(root, entry('grown'))).toEqual({ kind: 'changed' });
    expect(await unlinkIfUnchanged(root, entry('replaced'))).toEqual({ kind: 'changed' });
    expect(await unlinkIfUnchanged(root, entry('same'))).toEqual({ kind: 'gone' });
    expect((await lstat(path.join(base, 'outside', 'secret'))).isFile()).toBe(true);
  });

  it('refuses a file whose parent was swapped for a symlink to outside', async () => {
    await writeFile(path.join(root, 'a', 'b', 'secret'), 'secret');
    const [file] = (await walkTree(root, { rootDev })).files;
    await rm(path.join(root, 'a', 'b'), { recursive: true });
    await symlink(path.join(base, 'outside'), path.join(root, 'a', 'b'));
    const result = await unlinkIfUnchanged(root, file!);
    expect(result.kind).toBe('escape');
    expect((await lstat(path.join(base, 'outside', 'secret'))).isFile()).toBe(true);
  });
});

describe('removeEmptiedDirs', () => {
  it('removes emptied folders deepest first and stops at the root', async () => {
    await writeFile(path.join(root, 'a', 'b', 'f'), '1');
    const files = (await walkTree(root, { rootDev })).files;
    await rm(path.join(root, 'a', 'b', 'f'));
    expect(await removeEmptiedDirs(root, files)).toBe(2);
    expect((await lstat(root)).isDirectory()).toBe(true);
  });
});
