import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PathEscapeError, assertInside, isInside, resolveRoot } from './safe-path.js';

let base: string;
let root: string;
let outside: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-safe-path-')));
  root = path.join(base, 'root');
  outside = path.join(base, 'outside');
  await mkdir(path.join(root, 'sub'), { recursive: true });
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret'), 'x');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('resolveRoot', () => {
  it('resolves a symlinked folder once, to its real path', async () => {
    await symlink(root, path.join(base, 'link'));
    expect(await resolveRoot(path.join(base, 'link'))).toMatchObject({ ok: true, root });
  });

  it.each([
    ['a relative path', () => 'root', 'absolute'],
    ['a path with ..', () => `${root}/../outside`, '".."'],
    ['a path ending in ..', () => `${root}/sub/..`, '".."'],
    ['a missing folder', () => `${base}/missing`, 'ENOENT'],
    ['a file', () => `${outside}/secret`, 'not a directory'],
    ['/', () => '/', 'refusing'],
    ['an empty string', () => '', 'non-empty'],
    ['a NUL byte', () => `${root}\0x`, 'NUL'],
  ])('refuses %s', async (_label, dir, reason) => {
    const result = await resolveRoot(dir());
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });
});

describe('assertInside', () => {
  it('accepts a path inside and returns it canonical', async () => {
    await expect(assertInside(root, `${root}/sub/file`)).resolves.toBe(`${root}/sub/file`);
    await expect(assertInside(root, `${root}/sub/../file`)).resolves.toBe(`${root}/file`);
  });

  it('does not follow a final symlink: the link itself is the target', async () => {
    await symlink(`${outside}/secret`, `${root}/link`);
    await expect(assertInside(root, `${root}/link`)).resolves.toBe(`${root}/link`);
  });

  it.each([
    ['the root itself', () => root],
    ['the root with a trailing slash', () => `${root}/`],
    ['a path climbing out with ..', () => `${root}/sub/../../outside/secret`],
    ['a name of ..', () => `${root}/sub/..`],
    ['a name of .', () => `${root}/.`],
    ['a sibling whose name starts like the root', () => `${root}-evil/file`],
  ])('refuses %s', async (_label, target) => {
    await mkdir(`${root}-evil`, { recursive: true });
    await expect(assertInside(root, target())).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('refuses a path through a symlinked parent that points outside', async () => {
    await symlink(outside, `${root}/escape`);
    await expect(assertInside(root, `${root}/escape/secret`)).rejects.toBeInstanceOf(PathEscapeError);
  });

  it('isInside needs a separator after the root', () => {
    expect(isInside('/a/b', '/a/b/c')).toBe(true);
    expect(isInside('/a/b', '/a/bc')).toBe(false);
    expect(isInside('/a/b', '/a/b')).toBe(false);
  });
});
