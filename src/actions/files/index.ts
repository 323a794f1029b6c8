// The file actions: clear_cache and archive_files, plus recoverArchives for start-up.
export { clearCache, checkClearCacheSpec, type ClearCacheSpec, type ClearCacheOptions } from './clear-cache.js';
export { archiveFiles, checkArchiveSpec, type ArchiveFilesSpec, type ArchiveFilesOptions, type ArchiveStep } from './archive-files.js';
export { recoverArchives, type RecoverResult } from './recover-archives.js';
