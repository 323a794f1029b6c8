import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BookFile } from './book-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'medic-book-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('BookFile', () => {
  it('reads nothing before the first save, then what was saved, in a file only medic can read', async () => {
    const book = new BookFile(path.join(dir, 'book.json'));
    expect(await book.read()).toBeUndefined();
    await book.save({ grants: [{ rule: 'r', at: 1 }] });
    expect(await book.read()).toEqual({ grants: [{ rule: 'r', at: 1 }] });
    expect((await stat(path.join(dir, 'book.json'))).mode & 0o777).toBe(0o600);
  });

  it('runs operations one at a time in call order, and a failed one does not stop the next', async () => {
    const book = new BookFile(path.join(dir, 'book.json'));
    const order: string[] = [];
    let releaseFirst!: () => void;
    const gate = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = book.serial(async () => {
      await gate;
      order.push('first');
      throw new Error('first failed');
    });
    const second = book.serial(async () => {
      order.push('second');
      return 2;
    });
    releaseFirst();
    await expect(first).rejects.toThrow('first failed');
    expect(await second).toBe(2);
    expect(order).toEqual(['first', 'second']);
  });
});
