// Notices when medic can no longer write its state folder or its journal: a full disk, a
// filesystem remounted read-only, a permission change. Two signals: a journal write that throws
// a storage error, and a small file written and removed in the state folder now and then.
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../os/atomic-write.js';

export interface StorageChange {
  writable: boolean;
  /** What failed (`SQLITE_FULL: database or disk is full`), or what the outage was. */
  detail: string;
  at: number;
  /** When writing first failed. */
  since: number;
}

export interface StorageWatchOptions {
  dir: string;
  /** Probe at most this often while all is well; every successful tick while it is not. */
  everyMs: number;
  onChange: (change: StorageChange) => void;
}

/** SQLite result codes and errno values that mean "cannot write here", not a bug in medic. */
const SQLITE_STORAGE = /^SQLITE_(READONLY|IOERR|FULL|CANTOPEN|CORRUPT|NOTADB|PERM)/;
const ERRNO_STORAGE = new Set(['EROFS', 'ENOSPC', 'EDQUOT', 'EIO', 'EACCES', 'EPERM']);

/** `SQLITE_FULL: database or disk is full`, or null when the error is not about storage. */
export function describeStorageError(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(SQLITE_STORAGE.test(code) || ERRNO_STORAGE.has(code))) return null;
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(code) ? message : `${code}: ${message}`;
}

export const PROBE_FILE = '.medic-write-probe';

export class StorageWatch {
  private lastProbeAt = Number.NEGATIVE_INFINITY;
  private failure: { since: number; detail: string } | null = null;

  constructor(private readonly options: StorageWatchOptions) {}

  get writable(): boolean {
    return this.failure === null;
  }

  /** After a tick whose journal writes all worked: probes the folder when due (always while failing). */
  probe(at: number): void {
    if (this.failure === null && at - this.lastProbeAt < this.options.everyMs) return;
    this.lastProbeAt = at;
    const file = join(this.options.dir, PROBE_FILE);
    try {
      // Through the atomic writer: exclusive, no-follow temp file, fsync, rename, fsync the folder;
      // a symlink planted at the probe's name is refused, never written through.
      writeFileAtomicSync(file, `medic write probe ${at}\n`);
      unlinkSync(file);
    } catch (error) {
      // Node's own message names the code and the file: `ENOSPC: no space left on device, open '...'`.
      this.fail(describeStorageError(error) ?? (error instanceof Error ? error.message : `cannot write ${file}: ${String(error)}`), at);
      return;
    }
    if (this.failure) {
      const { since, detail } = this.failure;
      this.failure = null;
      this.options.onChange({ writable: true, detail, at, since });
    }
  }

  /** A journal write threw: true when it is a storage error (then it is noted). */
  noteError(error: unknown, at: number): boolean {
    const detail = describeStorageError(error);
    if (detail === null) return false;
    this.fail(detail, at);
    return true;
  }

  private fail(detail: string, at: number): void {
    if (this.failure) return;
    this.failure = { since: at, detail };
    this.options.onChange({ writable: false, detail, at, since: at });
  }
}
