// Which files an archive run takes: matching the glob, not modified in the last minAgeMs, with
// a name tar can hold exactly; then by age and/or oldest-first down to a folder size.
import path from 'node:path';
import { type FileEntry, sortOldestFirst } from './walk-tree.js';

export interface ArchiveCriteria {
  regex?: RegExp;
  olderThanMs?: number;
  targetSizeBytes?: number;
  minAgeMs: number;
}

export interface ArchiveSelection {
  files: FileEntry[];
  skippedRecent: number;
  /** Names node-tar cannot round-trip (see isArchivableName): left in place. */
  skippedName: string[];
}

/**
 * With neither olderThanMs nor targetSizeBytes, every matching file old enough is taken.
 * isArchivableName is tar-write's (passed in so that selecting does not load node-tar).
 */
export function selectForArchive(all: readonly FileEntry[], criteria: ArchiveCriteria, at: number, isArchivableName: (rel: string) => boolean): ArchiveSelection {
  const matching = all.filter((file) => criteria.regex === undefined || criteria.regex.test(path.basename(file.rel)));
  const recentFrom = at - criteria.minAgeMs;
  const old = matching.filter((file) => file.mtimeMs <= recentFrom);
  const skippedName = old.filter((file) => !isArchivableName(file.rel)).map((file) => file.rel);
  const candidates = sortOldestFirst(old.filter((file) => isArchivableName(file.rel)));
  const selection: ArchiveSelection = { files: [], skippedRecent: matching.length - old.length, skippedName };
  if (criteria.olderThanMs === undefined && criteria.targetSizeBytes === undefined) {
    selection.files = candidates;
    return selection;
  }
  // The size target is about the whole folder, matching or not.
  let remainingBytes = all.reduce((total, file) => total + file.size, 0);
  for (const file of candidates) {
    const wanted =
      (criteria.olderThanMs !== undefined && file.mtimeMs <= at - criteria.olderThanMs) ||
      (criteria.targetSizeBytes !== undefined && remainingBytes > criteria.targetSizeBytes);
    if (!wanted) break;
    selection.files.push(file);
    remainingBytes -= file.size;
  }
  return selection;
}

/**
 * An upper bound on what the run writes to dest: the uncompressed content rounded up to tar
 * blocks, a header and a pax header per file, the end marker, and the manifest.
 */
export function estimateArchiveBytes(files: readonly FileEntry[]): number {
  let bytes = 1024 + 512;
  for (const file of files) {
    bytes += Math.ceil(file.size / 512) * 512 + 512 + 1024 + Math.ceil(file.rel.length / 512) * 512;
    bytes += 256 + 6 * file.rel.length; // manifest line; JSON may escape a character as \uXXXX
  }
  return bytes;
}
