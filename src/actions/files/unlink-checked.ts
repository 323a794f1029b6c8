// Deletion with the guard applied last: a file is unlinked only when it is still inside the root
// and still the same unchanged regular file that was selected (same inode, size and mtime).
import { lstat, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { FileEntry } from './walk-tree.js';
import { PathEscapeError, assertInside, describeError, isInside } from './safe-path.js';

export type UnlinkResult =
  | { kind: 'deleted' }
  /** Modified, replaced or turned into something else since it was selected: kept. */
  | { kind: 'changed' }
  /** Already gone (someone else removed it). */
  | { kind: 'gone' }
  | { kind: 'escape'; error: string }
  | { kind: 'error'; error: string };

export async function unlinkIfUnchanged(root: string, file: FileEntry): Promise<UnlinkResult> {
  try {
    const canonical = await assertInside(root, file.path);
    const stats = await lstat(canonical);
    if (!stats.isFile() || !isSameFile(stats, file)) return { kind: 'changed' };
    await unlink(canonical);
    return { kind: 'deleted' };
  } catch (error) {
    if (error instanceof PathEscapeError) return { kind: 'escape', error: error.message };
    if (describeError(error) === 'ENOENT') return { kind: 'gone' };
    return { kind: 'error', error: `${file.rel}: ${describeError(error)}` };
  }
}

export function isSameFile(stats: { dev: number; ino: number; size: number; mtimeMs: number }, file: FileEntry): boolean {
  return stats.dev === file.dev && stats.ino === file.ino && stats.size === file.size && stats.mtimeMs === file.mtimeMs;
}

/**
 * Removes the directories that deleting `deletedFiles` left empty, deepest first, walking up
 * towards the root but never removing the root itself. rmdir only ever removes an empty
 * directory and fails on a symlink, so nothing with content can go this way.
 */
export async function removeEmptiedDirs(root: string, deletedFiles: readonly FileEntry[]): Promise<number> {
  const candidates = new Set<string>();
  for (const file of deletedFiles) candidates.add(path.dirname(file.path));
  let removed = 0;
  while (candidates.size > 0) {
    const deepest = [...candidates].reduce((a, b) => (depth(b) > depth(a) ? b : a));
    candidates.delete(deepest);
    if (!isInside(root, deepest)) continue;
    try {
      await rmdir(await assertInside(root, deepest));
      removed += 1;
      candidates.add(path.dirname(deepest));
    } catch {
      // ENOTEMPTY (still has files, e.g. recent ones), vanished, or refused: leave it.
    }
  }
  return removed;
}

function depth(p: string): number {
  return p.split('/').length;
}
