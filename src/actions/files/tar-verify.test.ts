import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { lstat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyTarGz } from './tar-verify.js';
import { writeTarGz } from './tar-write.js';
import { walkTree } from './walk-tree.js';

let base: string;
let root: string;

beforeEach(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'medic-tar-')));
  root = path.join(base, 'root');
  await mkdir(root);
  for (const [name, size] of [['a', 10], ['b', 100_000], ['c', 513]] as const) {
    await writeFile(path.join(root, name), Buffer.alloc(size, name));
    await utimes(path.join(root, name), 1_700_000_000 + size, 1_700_000_000 + size);
  }
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

async function writeSample(isOverdue = () => false) {
  const files = (await walkTree(root, { rootDev: (await lstat(root)).dev })).files.sort((x, y) => x.rel.localeCompare(y.rel));
  const archive = path.join(base, 'sample.tar.gz');
  const written = await writeTarGz(archive, root, files, isOverdue);
  const expected = written.entries.map(({ file, sha256 }) => ({ rel: file.rel, size: file.size, sha256 }));
  return { archive, written, expected };
}

describe('writeTarGz and verifyTarGz', () => {
  it('hashes exactly the bytes of each file and verifies the archive it wrote', async () => {
    const { archive, written, expected } = await writeSample();
    const want = createHash('sha256').update(Buffer.alloc(100_000, 'b')).digest('hex');
    expect(written.entries.find((entry) => entry.file.rel === 'b')?.sha256).toBe(want);
    expect(await verifyTarGz(archive, expected)).toBeNull();
  });

  it('stops adding files when overdue', async () => {
    let calls = 0;
    const { archive, written, expected } = await writeSample(() => ++calls > 2);
    expect(written).toMatchObject({ stoppedEarly: true, leftOut: [] });
    expect(expected.map((entry) => entry.rel)).toEqual(['a', 'b']);
    expect(await verifyTarGz(archive, expected)).toBeNull();
  });

  it('refuses to overwrite an existing file', async () => {
    await writeFile(path.join(base, 'sample.tar.gz'), 'precious');
    await expect(writeSample()).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path.join(base, 'sample.tar.gz'), 'utf8')).toBe('precious');
  });

  it('fails on a corrupted byte, a truncated file, a wrong hash, a missing or extra entry', async () => {
    const { archive, expected } = await writeSample();
    const bytes = await readFile(archive);
    const corrupt = Buffer.from(bytes);
    corrupt[Math.floor(corrupt.length / 2)]! ^= 0xff;
    await writeFile(path.join(base, 'corrupt.tar.gz'), corrupt);
    expect(await verifyTarGz(path.join(base, 'corrupt.tar.gz'), expected)).toMatch(/.+/);
    await writeFile(path.join(base, 'short.tar.gz'), bytes.subarray(0, bytes.length - 20));
    expect(await verifyTarGz(path.join(base, 'short.tar.gz'), expected)).toMatch(/.+/);

    expect(await verifyTarGz(archive, expected.map((entry, i) => (i === 1 ? { ...entry, sha256: '0'.repeat(64) } : entry)))).toContain('sha256');
    expect(await verifyTarGz(archive, expected.slice(0, 2))).toContain('3 entries, expected 2');
    expect(await verifyTarGz(archive, [...expected, { rel: 'd', size: 0, sha256: '' }])).toContain('expected 4');
    expect(await verifyTarGz(archive, [expected[1]!, expected[0]!, expected[2]!])).toContain('entry 0');
    expect(await verifyTarGz(path.join(base, 'missing.tar.gz'), expected)).toContain('cannot read');
  });
});
