// archive_files: moves selected files from a folder into a gzipped tar in dest. The originals are
// unlinked only after the archive is written, fsynced, read back and verified (every entry's
// sha256 against the bytes read from the original), renamed into place with its manifest, and
// the dest directory fsynced; each original is re-checked as unchanged right before its unlink.
// A crash at any point leaves every original either in place or in a verified archive.
import { open, rename, unlink } from 'node:fs/promises';
import { formatBytes } from '../../core/durations.js';
import type { ActionOutcome } from '../../core/types.js';
import { ARCHIVE_SUFFIX, DEFAULT_NAME_TEMPLATE, MANIFEST_SUFFIX, TEMP_SUFFIX, pickFreeName, renderArchiveName } from './archive-name.js';
import { estimateArchiveBytes, selectForArchive } from './archive-select.js';
import { DEFAULT_MIN_AGE_MS } from './clear-cache.js';
import { measureFreeBytes } from './disk-space.js';
import { compileGlob } from './glob.js';
import { buildPlainOutcome } from '../plain-outcome.js';
import { MAX_LISTED_PATHS, checkOptionalAmount, settleFileAction } from './outcome.js';
import { describeError, isInside, resolveRoot } from './safe-path.js';
import { unlinkIfUnchanged } from './unlink-checked.js';
import { walkTree } from './walk-tree.js';

export interface ArchiveFilesSpec {
  /** Folder to archive from: absolute, no `..`. */
  dir: string;
  /** Existing folder the archive and manifest go to; must not be inside dir. */
  dest: string;
  /** Glob on the base name (`*.log`); defaults to every file. */
  match?: string;
  /** Take files last modified at least this long ago. */
  olderThanMs?: number;
  /** Take files oldest-first until the folder's files total at most this many bytes. */
  targetSizeBytes?: number;
  /** Skip files modified in the last N ms: they may still be written. Defaults to 5000. */
  minAgeMs?: number;
  dryRun?: boolean;
  /** Stop adding files once this much time has passed; what was written is still finished. */
  timeoutMs?: number;
  /** Archive base name; placeholders {dir}, {date}, {time}. Defaults to `{dir}-{time}`. */
  nameTemplate?: string;
}

export type ArchiveStep = 'after-write' | 'after-fsync' | 'after-verify' | 'after-rename' | 'mid-remove';

export interface ArchiveFilesOptions {
  /** Clock for file ages, the archive name and the timeout. Defaults to Date.now. */
  now?: () => number;
  /** Test hook: SIGKILL this process at that step ('mid-remove': after the first original goes). */
  crashAt?: ArchiveStep;
  /** Bytes free for the archive in a folder. Defaults to statfs (space available to non-root). */
  freeBytes?: (dir: string) => number;
}

export function archiveFiles(spec: ArchiveFilesSpec, options: ArchiveFilesOptions = {}): Promise<ActionOutcome> {
  return settleFileAction('archive_files', options.now ?? Date.now, () => runArchiveFiles(spec, options));
}

async function runArchiveFiles(spec: ArchiveFilesSpec, options: ArchiveFilesOptions): Promise<ActionOutcome> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const elapsedMs = () => now() - startedAt;
  const isOverdue = () => spec.timeoutMs !== undefined && elapsedMs() > spec.timeoutMs;
  const crashPoint = (step: ArchiveStep) => {
    if (options.crashAt === step) process.kill(process.pid, 'SIGKILL');
  };
  const details: Record<string, unknown> = { archive: null, files: 0, bytes: 0, manifest: [], dryRun: spec?.dryRun === true, filesRemoved: 0, errors: 0 };
  const finish = (status: string, summary: string) =>
    buildPlainOutcome({ ok: status === 'ok', status, durationMs: elapsedMs(), message: `archive_files ${spec?.dir}: ${summary}`, details });

  const problem = checkArchiveSpec(spec);
  if (problem !== null) return finish('bad-spec', `refused: ${problem}`);
  const source = await resolveRoot(spec.dir, 'dir');
  if (!source.ok) return finish('bad-spec', `refused: ${source.reason}`);
  const dest = await resolveRoot(spec.dest, 'dest');
  if (!dest.ok) return finish('bad-spec', `refused: ${dest.reason}`);
  if (dest.root === source.root || isInside(source.root, dest.root)) return finish('bad-spec', `refused: dest ${dest.root} is inside dir ${source.root}`);
  const glob = spec.match === undefined ? undefined : compileGlob(spec.match);
  const name = renderArchiveName(spec.nameTemplate ?? DEFAULT_NAME_TEMPLATE, source.root, startedAt);
  if (glob?.ok === false || !name.ok) return finish('bad-spec', `refused: ${glob?.ok === false ? glob.reason : !name.ok ? name.reason : ''}`);

  const walk = await walkTree(source.root, { rootDev: source.dev, isOverdue });
  if (walk.timedOut) return finish('timed-out', 'timed out listing files; nothing archived');
  // node-tar is loaded when an archive is first made, not when medic starts: most configs never archive.
  const { isArchivableName, writeTarGz } = await import('./tar-write.js');
  const { verifyTarGz } = await import('./tar-verify.js');
  const selection = selectForArchive(walk.files, { regex: glob?.regex, olderThanMs: spec.olderThanMs, targetSizeBytes: spec.targetSizeBytes, minAgeMs: spec.minAgeMs ?? DEFAULT_MIN_AGE_MS }, startedAt, isArchivableName);
  const selectedBytes = selection.files.reduce((total, file) => total + file.size, 0);
  Object.assign(details, {
    filesSkippedRecent: selection.skippedRecent,
    filesSkippedName: selection.skippedName.slice(0, MAX_LISTED_PATHS),
    symlinksSkipped: walk.symlinksSkipped,
    specialSkipped: walk.specialSkipped,
    mountsSkipped: walk.mountsSkipped,
  });
  if (selection.files.length === 0) return finish('ok', 'nothing to archive');

  const neededBytes = estimateArchiveBytes(selection.files);
  const freeBytes = (options.freeBytes ?? measureFreeBytes)(dest.root);
  Object.assign(details, { neededBytes, freeBytes });
  if (freeBytes < neededBytes) {
    return finish('no-room', `no room in ${dest.root}: ${selection.files.length} files need up to ${formatBytes(neededBytes)}, ${formatBytes(freeBytes)} free; nothing archived`);
  }
  const base = await pickFreeName(dest.root, name.name);
  const archivePath = `${dest.root}/${base}${ARCHIVE_SUFFIX}`;
  const manifestPath = `${dest.root}/${base}${MANIFEST_SUFFIX}`;
  if (details['dryRun']) {
    Object.assign(details, { archive: archivePath, files: selection.files.length, bytes: selectedBytes, wouldArchive: selection.files.slice(0, MAX_LISTED_PATHS).map((file) => file.rel) });
    return finish('ok', `dry run: would archive ${selection.files.length} files (${formatBytes(selectedBytes)}) into ${archivePath}`);
  }

  const tmpArchive = archivePath + TEMP_SUFFIX;
  const tmpManifest = manifestPath + TEMP_SUFFIX;
  let written;
  try {
    written = await writeTarGz(tmpArchive, source.root, selection.files, isOverdue);
    crashPoint('after-write');
    await fsyncPath(tmpArchive);
    crashPoint('after-fsync');
  } catch (error) {
    await removeQuietly(tmpArchive);
    return finish('write-failed', `writing ${tmpArchive} failed (${describeError(error)}); originals kept`);
  }
  details['filesLeftOut'] = written.leftOut.slice(0, MAX_LISTED_PATHS);
  if (written.entries.length === 0) {
    await removeQuietly(tmpArchive);
    return finish(written.stoppedEarly ? 'timed-out' : 'ok', written.stoppedEarly ? 'timed out before the first file; nothing archived' : 'every selected file changed; nothing archived');
  }
  const manifestEntries = written.entries.map(({ file, sha256 }) => ({ path: file.rel, size: file.size, mtimeMs: file.mtimeMs, sha256 }));
  const verifyProblem = await verifyTarGz(tmpArchive, written.entries.map(({ file, sha256 }) => ({ rel: file.rel, size: file.size, sha256 })));
  if (verifyProblem !== null) {
    await removeQuietly(tmpArchive);
    return finish('verify-failed', `archive did not verify (${verifyProblem}); removed it, originals kept`);
  }
  crashPoint('after-verify');

  try {
    const manifest = { archive: `${base}${ARCHIVE_SUFFIX}`, sourceDir: source.root, createdAt: new Date(startedAt).toISOString(), files: manifestEntries };
    await writeFileSynced(tmpManifest, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(tmpArchive, archivePath);
    await rename(tmpManifest, manifestPath);
    await fsyncPath(dest.root); // the renames must be on disk before any original goes
  } catch (error) {
    await Promise.all([removeQuietly(tmpArchive), removeQuietly(tmpManifest)]);
    return finish('write-failed', `installing ${archivePath} failed (${describeError(error)}); originals kept`);
  }
  crashPoint('after-rename');
  const archivedBytes = manifestEntries.reduce((total, entry) => total + entry.size, 0);
  Object.assign(details, { archive: archivePath, manifestPath, files: manifestEntries.length, bytes: archivedBytes, manifest: manifestEntries });

  const kept: string[] = [];
  const errors: string[] = [];
  let removed = 0;
  for (const { file } of written.entries) {
    const result = await unlinkIfUnchanged(source.root, file);
    if (result.kind === 'deleted') removed += 1;
    else if (result.kind === 'changed') kept.push(file.rel);
    else if (result.kind === 'escape' || result.kind === 'error') errors.push(result.error);
    if (removed === 1 && result.kind === 'deleted') crashPoint('mid-remove');
  }
  Object.assign(details, { filesRemoved: removed, filesKeptChanged: kept.slice(0, MAX_LISTED_PATHS), errors: errors.length, firstErrors: errors.slice(0, 5) });
  let summary = `${manifestEntries.length} files (${formatBytes(archivedBytes)}) into ${archivePath}; removed ${removed} originals`;
  if (kept.length > 0) summary += `, kept ${kept.length} that changed since selection`;
  if (errors.length > 0) summary += `; ${errors.length} could not be removed (first: ${errors[0]})`;
  if (written.stoppedEarly) summary += `; timed out, ${selection.files.length - written.entries.length - written.leftOut.length} selected files left for the next run`;
  return finish(written.stoppedEarly ? 'timed-out' : errors.length > 0 ? 'errors' : 'ok', summary);
}

/** Returns what is wrong with a spec, or null. dir and dest are checked when resolved. */
export function checkArchiveSpec(spec: ArchiveFilesSpec): string | null {
  if (typeof spec !== 'object' || spec === null) return 'spec must be an object';
  for (const field of ['olderThanMs', 'targetSizeBytes', 'minAgeMs', 'timeoutMs']) {
    const problem = checkOptionalAmount(spec, field);
    if (problem) return problem;
  }
  if (spec.match !== undefined && typeof spec.match !== 'string') return 'match must be a string';
  if (spec.nameTemplate !== undefined && typeof spec.nameTemplate !== 'string') return 'nameTemplate must be a string';
  if (spec.dryRun !== undefined && typeof spec.dryRun !== 'boolean') return 'dryRun must be true or false';
  return null;
}

async function fsyncPath(target: string): Promise<void> {
  const handle = await open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeFileSynced(target: string, text: string): Promise<void> {
  const handle = await open(target, 'wx', 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function removeQuietly(target: string): Promise<void> {
  await unlink(target).catch(() => undefined);
}
