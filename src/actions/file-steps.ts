// clear_cache and archive_files as ladder steps: the ActionSpec mapped onto the file actions in
// files/, or, for clear_cache with a worker, the worker's own cache-clearing command or endpoint.
import type { ArchiveFilesAction, ClearCacheFilesAction, ClearCacheWorkerAction } from '../core/action-specs.js';
import type { ActionOutcome } from '../core/types.js';
import { archiveFiles, clearCache } from './files/index.js';
import { callHttp } from './http-call.js';
import { buildPlainOutcome } from './plain-outcome.js';
import { runCommand } from './run-command.js';

export function runClearCache(action: ClearCacheFilesAction | ClearCacheWorkerAction, options: { dryRun?: boolean } = {}): Promise<ActionOutcome> {
  if ('dir' in action) {
    return clearCache({
      dir: action.dir,
      ...(action.olderThanMs !== undefined ? { olderThanMs: action.olderThanMs } : {}),
      ...(action.targetSizeBytes !== undefined ? { targetSizeBytes: action.targetSizeBytes } : {}),
      ...(action.targetDiskUsedPct !== undefined ? { targetDiskUsedPct: action.targetDiskUsedPct } : {}),
      ...(action.minAgeMs !== undefined ? { minAgeMs: action.minAgeMs } : {}),
      timeoutMs: action.timeoutMs,
      dryRun: options.dryRun === true,
    });
  }
  return clearWorkerCache(action, options);
}

async function clearWorkerCache(action: ClearCacheWorkerAction, options: { dryRun?: boolean }): Promise<ActionOutcome> {
  const name = `clear_cache ${action.worker}`;
  const via = action.command ? 'command' : 'http';
  if (options.dryRun) {
    return buildPlainOutcome({ ok: true, status: 'dry-run', durationMs: 0, message: `${name} (dry run): would call the worker's ${via}`, details: { worker: action.worker, via, dryRun: true } });
  }
  const outcome = action.command
    ? await runCommand(action.command, { timeoutMs: action.timeoutMs, name, env: { MEDIC_WORKER: action.worker } })
    : await callHttp(action.http!, { worker: action.worker, action: 'clear_cache' }, { timeoutMs: action.timeoutMs, name });
  return { ...outcome, details: { ...outcome.details, worker: action.worker, via } };
}

export function runArchiveFiles(action: ArchiveFilesAction, options: { dryRun?: boolean } = {}): Promise<ActionOutcome> {
  return archiveFiles({
    dir: action.dir,
    dest: action.dest,
    ...(action.match !== undefined ? { match: action.match } : {}),
    ...(action.olderThanMs !== undefined ? { olderThanMs: action.olderThanMs } : {}),
    ...(action.targetSizeBytes !== undefined ? { targetSizeBytes: action.targetSizeBytes } : {}),
    ...(action.minAgeMs !== undefined ? { minAgeMs: action.minAgeMs } : {}),
    ...(action.nameTemplate !== undefined ? { nameTemplate: action.nameTemplate } : {}),
    timeoutMs: action.timeoutMs,
    dryRun: options.dryRun === true,
  });
}
