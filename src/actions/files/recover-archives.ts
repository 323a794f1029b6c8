// Start-up clean-up after a crash in archive_files. Call it before any archive action runs (a
// temp being written right now looks the same as one left by a crash). A `.tar.gz.tmp` was never
// renamed into place, so its originals were never touched: it is removed. A `.manifest.json.tmp`
// whose archive did reach its final name was fsynced before that rename, so it is completed;
// otherwise it is removed. Symlinks and folders with those names are left alone.
import { lstat, readdir, rename, unlink } from 'node:fs/promises';
import { ARCHIVE_SUFFIX, MANIFEST_SUFFIX, TEMP_SUFFIX } from './archive-name.js';
import { assertInside, describeError, resolveRoot } from './safe-path.js';

export interface RecoverResult {
  removedTemps: string[];
  restoredManifests: string[];
  /** Entries that could not be handled, with the reason; dest unreadable shows here too. */
  errors: string[];
}

const ARCHIVE_TEMP = ARCHIVE_SUFFIX + TEMP_SUFFIX;
const MANIFEST_TEMP = MANIFEST_SUFFIX + TEMP_SUFFIX;

export async function recoverArchives(dest: string): Promise<RecoverResult> {
  const result: RecoverResult = { removedTemps: [], restoredManifests: [], errors: [] };
  const resolved = await resolveRoot(dest, 'dest');
  if (!resolved.ok) return result; // nothing was ever archived there
  const { root } = resolved;
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    result.errors.push(`${root}: ${describeError(error)}`);
    return result;
  }
  for (const name of names.filter((n) => n.endsWith(ARCHIVE_TEMP) || n.endsWith(MANIFEST_TEMP))) {
    try {
      const tempPath = await assertInside(root, `${root}/${name}`);
      if (!(await lstat(tempPath)).isFile()) continue;
      if (name.endsWith(MANIFEST_TEMP)) {
        const base = name.slice(0, -MANIFEST_TEMP.length);
        if (await isFile(`${root}/${base}${ARCHIVE_SUFFIX}`)) {
          await rename(tempPath, `${root}/${base}${MANIFEST_SUFFIX}`);
          result.restoredManifests.push(`${root}/${base}${MANIFEST_SUFFIX}`);
          continue;
        }
      }
      await unlink(tempPath);
      result.removedTemps.push(tempPath);
    } catch (error) {
      result.errors.push(`${name}: ${describeError(error)}`);
    }
  }
  return result;
}

async function isFile(target: string): Promise<boolean> {
  try {
    return (await lstat(target)).isFile();
  } catch {
    return false;
  }
}
