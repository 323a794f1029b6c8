// Lists the regular files under a root without ever following a symlink: entries are examined
// with lstat, symlinks (to files or to directories) are skipped and counted, symlinked
// directories are never entered, and directories on another filesystem (mount points) are not
// entered either, like `find -xdev`.
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';

export interface FileEntry {
  /** Absolute path as walked: root + rel. */
  path: string;
  /** Path relative to the root, `/`-separated. */
  rel: string;
  size: number;
  mtimeMs: number;
  dev: number;
  ino: number;
}

export interface WalkResult {
  files: FileEntry[];
  symlinksSkipped: number;
  /** Sockets, FIFOs, devices. */
  specialSkipped: number;
  mountsSkipped: number;
  /** Entries or directories that vanished or could not be read while walking. */
  unreadable: number;
  timedOut: boolean;
}

export interface WalkOptions {
  rootDev: number;
  /** Checked before each directory is read; the walk stops (timedOut) when it returns true. */
  isOverdue?: () => boolean;
}

export async function walkTree(root: string, options: WalkOptions): Promise<WalkResult> {
  const result: WalkResult = { files: [], symlinksSkipped: 0, specialSkipped: 0, mountsSkipped: 0, unreadable: 0, timedOut: false };
  const pendingDirs: string[] = [''];
  while (pendingDirs.length > 0) {
    if (options.isOverdue?.()) {
      result.timedOut = true;
      break;
    }
    const relDir = pendingDirs.pop()!;
    let entries: Dirent[];
    try {
      entries = await readdir(relDir === '' ? root : `${root}/${relDir}`, { withFileTypes: true });
    } catch {
      result.unreadable += 1;
      continue;
    }
    for (const entry of entries) {
      const rel = relDir === '' ? entry.name : `${relDir}/${entry.name}`;
      const abs = `${root}/${rel}`;
      // The dirent type is a hint; lstat is the authority (some filesystems report "unknown").
      if (entry.isSymbolicLink()) {
        result.symlinksSkipped += 1;
        continue;
      }
      let stats;
      try {
        stats = await lstat(abs);
      } catch {
        result.unreadable += 1;
        continue;
      }
      if (stats.isSymbolicLink()) result.symlinksSkipped += 1;
      else if (stats.isDirectory()) {
        if (stats.dev === options.rootDev) pendingDirs.push(rel);
        else result.mountsSkipped += 1;
      } else if (stats.isFile()) {
        result.files.push({ path: abs, rel, size: stats.size, mtimeMs: stats.mtimeMs, dev: stats.dev, ino: stats.ino });
      } else result.specialSkipped += 1;
    }
  }
  return result;
}

/** Oldest first; ties broken by path so a run is reproducible. */
export function sortOldestFirst(files: FileEntry[]): FileEntry[] {
  return [...files].sort((a, b) => a.mtimeMs - b.mtimeMs || (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
