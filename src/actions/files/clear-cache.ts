// clear_cache: frees space in a cache folder by deleting its oldest files, by age, down to a
// folder size, or until the disk is under a usage target. Never leaves the root, never follows a
// symlink, never deletes the root, skips files changed in the last few seconds (may be in use).
import { formatBytes } from '../../core/durations.js';
import type { ActionOutcome } from '../../core/types.js';
import { measureDisk, measureDiskUsedPct } from './disk-space.js';
import { buildPlainOutcome } from '../plain-outcome.js';
import { MAX_LISTED_PATHS, checkOptionalAmount, settleFileAction } from './outcome.js';
import { resolveRoot } from './safe-path.js';
import { removeEmptiedDirs, unlinkIfUnchanged } from './unlink-checked.js';
import { type FileEntry, sortOldestFirst, walkTree } from './walk-tree.js';

export interface ClearCacheSpec {
  /** The cache folder: absolute, no `..`. */
  dir: string;
  /** Delete every file last modified at least this long ago. */
  olderThanMs?: number;
  /** Delete oldest-first until the folder's files total at most this many bytes. */
  targetSizeBytes?: number;
  /** Delete oldest-first until the filesystem holding the folder is at most this full (0..100). */
  targetDiskUsedPct?: number;
  /** Skip files modified in the last N ms: they may be in use. Defaults to 5000. */
  minAgeMs?: number;
  /** Work out what would go and delete nothing. */
  dryRun?: boolean;
  /** Stop between files once this much time has passed; the outcome says what was done. */
  timeoutMs?: number;
}

export interface ClearCacheOptions {
  /** Clock for file ages and the timeout. Defaults to Date.now. */
  now?: () => number;
  /** Disk usage of the filesystem holding a folder, 0..100. Defaults to statfs, as df counts it. */
  diskUsedPct?: (dir: string) => number;
}

export const DEFAULT_MIN_AGE_MS = 5000;

export function clearCache(spec: ClearCacheSpec, options: ClearCacheOptions = {}): Promise<ActionOutcome> {
  return settleFileAction('clear_cache', options.now ?? Date.now, () => runClearCache(spec, options));
}

async function runClearCache(spec: ClearCacheSpec, options: ClearCacheOptions): Promise<ActionOutcome> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const elapsedMs = () => now() - startedAt;
  const dryRun = spec?.dryRun === true;
  const problem = checkClearCacheSpec(spec);
  const resolved = problem === null ? await resolveRoot(spec.dir) : ({ ok: false, reason: problem } as const);
  if (!resolved.ok) {
    return buildPlainOutcome({ ok: false, status: 'bad-spec', durationMs: elapsedMs(), message: `clear_cache refused: ${resolved.reason}`, details: { dryRun } });
  }
  const { root } = resolved;
  const isOverdue = () => spec.timeoutMs !== undefined && elapsedMs() > spec.timeoutMs;

  const walk = await walkTree(root, { rootDev: resolved.dev, isOverdue });
  const recentFrom = startedAt - (spec.minAgeMs ?? DEFAULT_MIN_AGE_MS);
  const candidates = sortOldestFirst(walk.files.filter((file) => file.mtimeMs <= recentFrom));
  const bytesBefore = sumBytes(walk.files);
  const disk = spec.targetDiskUsedPct === undefined ? undefined : createDiskGauge(root, options.diskUsedPct ?? measureDiskUsedPct, dryRun);

  const deleted: FileEntry[] = [];
  let bytesFreed = 0;
  let filesSkippedChanged = 0;
  const errors: string[] = [];
  const wantsMore = (file: FileEntry): boolean =>
    (spec.olderThanMs !== undefined && file.mtimeMs <= startedAt - spec.olderThanMs) ||
    (spec.targetSizeBytes !== undefined && bytesBefore - bytesFreed > spec.targetSizeBytes) ||
    (disk !== undefined && spec.targetDiskUsedPct !== undefined && disk.usedPct(bytesFreed) > spec.targetDiskUsedPct);

  let timedOut = walk.timedOut;
  for (const file of timedOut ? [] : candidates) {
    if (!wantsMore(file)) break; // oldest first: once nothing wants this file, nothing wants a newer one
    if (isOverdue()) {
      timedOut = true;
      break;
    }
    const result = dryRun ? ({ kind: 'deleted' } as const) : await unlinkIfUnchanged(root, file);
    if (result.kind === 'deleted') {
      deleted.push(file);
      bytesFreed += file.size;
    } else if (result.kind === 'changed') filesSkippedChanged += 1;
    else if (result.kind === 'escape' || result.kind === 'error') errors.push(result.error);
  }
  const dirsRemoved = dryRun ? 0 : await removeEmptiedDirs(root, deleted);

  const bytesAfter = bytesBefore - bytesFreed;
  const diskUsedPctAfter = disk?.usedPct(bytesFreed);
  const targetMissed =
    (spec.targetSizeBytes !== undefined && bytesAfter > spec.targetSizeBytes) ||
    (diskUsedPctAfter !== undefined && spec.targetDiskUsedPct !== undefined && diskUsedPctAfter > spec.targetDiskUsedPct);
  const status = timedOut ? 'timed-out' : errors.length > 0 ? 'errors' : targetMissed ? 'target-not-reached' : 'ok';

  const details: Record<string, unknown> = {
    filesDeleted: deleted.length,
    bytesFreed,
    filesSkippedRecent: walk.files.length - candidates.length,
    bytesBefore,
    bytesAfter,
    dryRun,
    filesSkippedChanged,
    dirsRemoved,
    symlinksSkipped: walk.symlinksSkipped,
    specialSkipped: walk.specialSkipped,
    mountsSkipped: walk.mountsSkipped,
    unreadable: walk.unreadable,
    errors: errors.length,
    firstErrors: errors.slice(0, 5),
  };
  if (disk) Object.assign(details, { diskUsedPctBefore: disk.startPct, diskUsedPctAfter });
  if (dryRun) details['wouldDelete'] = deleted.slice(0, MAX_LISTED_PATHS).map((file) => file.rel);

  return buildPlainOutcome({ ok: status === 'ok', status, durationMs: elapsedMs(), message: describeClearCache(root, status, details), details });
}

/** Returns what is wrong with a spec, or null. */
export function checkClearCacheSpec(spec: ClearCacheSpec): string | null {
  if (typeof spec !== 'object' || spec === null) return 'spec must be an object';
  for (const field of ['olderThanMs', 'targetSizeBytes', 'minAgeMs', 'timeoutMs', 'targetDiskUsedPct']) {
    const problem = checkOptionalAmount(spec, field);
    if (problem) return problem;
  }
  if (spec.targetDiskUsedPct !== undefined && spec.targetDiskUsedPct > 100) return `targetDiskUsedPct must be 0..100, got ${spec.targetDiskUsedPct}`;
  if (spec.olderThanMs === undefined && spec.targetSizeBytes === undefined && spec.targetDiskUsedPct === undefined) {
    return 'give at least one of olderThanMs, targetSizeBytes, targetDiskUsedPct';
  }
  if (spec.dryRun !== undefined && typeof spec.dryRun !== 'boolean') return 'dryRun must be true or false';
  return null;
}

interface DiskGauge {
  startPct: number;
  /** Usage after freeing `bytesFreed`: measured on a real run, estimated on a dry run. */
  usedPct(bytesFreed: number): number;
}

function createDiskGauge(root: string, diskUsedPct: (dir: string) => number, dryRun: boolean): DiskGauge {
  const startPct = diskUsedPct(root);
  if (!dryRun) return { startPct, usedPct: () => diskUsedPct(root) };
  // Freeing n bytes moves n from used to available; their sum (the denominator) stays the same.
  const capacityBytes = measureDisk(root).capacityBytes;
  return { startPct, usedPct: (bytesFreed) => startPct - (capacityBytes === 0 ? 0 : (bytesFreed / capacityBytes) * 100) };
}

function sumBytes(files: readonly FileEntry[]): number {
  return files.reduce((total, file) => total + file.size, 0);
}

/** `clear_cache /var/cache/app: deleted 12 files, freed 3MiB; skipped 2 recent, 0 changed` */
export function describeClearCache(root: string, status: string, details: Record<string, unknown>): string {
  const verb = details['dryRun'] ? 'would delete' : 'deleted';
  const freed = formatBytes(Number(details['bytesFreed']));
  let message = `clear_cache ${root}${details['dryRun'] ? ' (dry run)' : ''}: ${verb} ${details['filesDeleted']} files, ${freed}; skipped ${details['filesSkippedRecent']} recent, ${details['filesSkippedChanged']} changed`;
  if (status === 'timed-out') message += '; stopped: timed out';
  if (status === 'errors') message += `; ${details['errors']} errors (first: ${(details['firstErrors'] as string[])[0]})`;
  if (status === 'target-not-reached') message += '; target not reached';
  return message;
}
