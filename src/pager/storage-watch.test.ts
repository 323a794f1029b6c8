import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StorageWatch, describeStorageError, type StorageChange } from './storage-watch.js';

const dir = mkdtempSync(join(tmpdir(), 'medic-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error SQLite really throws when a write is refused. */
function sqliteReadonlyError(): unknown {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (x)');
  db.pragma('query_only = ON');
  try {
    db.exec('INSERT INTO t VALUES (1)');
  } catch (error) {
    return error;
  } finally {
    db.close();
  }
  throw new Error('expected SQLite to refuse the write');
}

describe('describeStorageError', () => {
  it.each([
    // SQLite refusing writes
    [sqliteReadonlyError(), /^SQLITE_READONLY: attempt to write a readonly database$/],
    [Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }), /^SQLITE_FULL: database or disk is full$/],
    [Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }), /^SQLITE_IOERR_WRITE: disk I\/O error$/],
    // the filesystem refusing writes
    [Object.assign(new Error("ENOSPC: no space left on device, write"), { code: 'ENOSPC' }), /^ENOSPC: no space left on device, write$/],
    [Object.assign(new Error("EROFS: read-only file system, open '/x'"), { code: 'EROFS' }), /^EROFS: read-only file system/],
  ])('%s', (error, text) => {
    expect(describeStorageError(error)).toMatch(text);
  });

  it.each([[new TypeError('The database connection is not open')], [Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })], ['text'], [null]])('is null for %s: a bug, not storage', (error) => {
    expect(describeStorageError(error)).toBeNull();
  });
});

describe('StorageWatch', () => {
  it('probes when due, says once that writing fails, and once that it works again', () => {
    const state = join(dir, 'state');
    mkdirSync(state);
    const changes: StorageChange[] = [];
    const watch = new StorageWatch({ dir: state, everyMs: 30_000, onChange: (c) => changes.push(c) });
    watch.probe(1000);
    rmSync(state, { recursive: true });
    watch.probe(2000); // not due yet: nothing noticed
    expect(changes).toEqual([]);
    watch.probe(31_000);
    watch.probe(31_500); // while failing, every call probes; still one change
    expect(changes).toEqual([{ writable: false, detail: expect.stringMatching(/^ENOENT: no such file or directory, open '.*\.medic-write-probe'$/), at: 31_000, since: 31_000 }]);
    expect(watch.writable).toBe(false);
    mkdirSync(state);
    watch.probe(32_000);
    expect(changes[1]).toEqual({ writable: true, detail: changes[0]!.detail, at: 32_000, since: 31_000 });
  });

  it('takes a storage error from a journal write as a failure, and ignores other errors', () => {
    const changes: StorageChange[] = [];
    const watch = new StorageWatch({ dir, everyMs: 30_000, onChange: (c) => changes.push(c) });
    expect(watch.noteError(new TypeError('bug'), 5)).toBe(false);
    expect(watch.noteError(sqliteReadonlyError(), 6)).toBe(true);
    expect(watch.noteError(sqliteReadonlyError(), 7)).toBe(true);
    expect(changes).toEqual([{ writable: false, detail: 'SQLITE_READONLY: attempt to write a readonly database', at: 6, since: 6 }]);
    watch.probe(8);
    expect(changes.map((c) => c.writable)).toEqual([false, true]);
  });
});
