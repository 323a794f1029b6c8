// Writes a gzipped tar of selected files, hashing each file's bytes as they go into the archive.
// Each file is opened once, without following a symlink, and checked to be the same unchanged
// regular file that was selected; the header comes from that check and exactly `size` bytes are
// copied, so the sha256 in the manifest is the sha256 of what the archive holds.
import { constants } from 'node:fs';
import { createWriteStream } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Header, Pax } from 'tar';
import { MedicError } from '../../core/errors.js';
import { assertInside } from './safe-path.js';
import { isSameFile } from './unlink-checked.js';
import type { FileEntry } from './walk-tree.js';

export interface ArchivedEntry {
  file: FileEntry;
  sha256: string;
}

export interface TarWriteResult {
  entries: ArchivedEntry[];
  /** Selected files left out because they changed, vanished or could not be opened. */
  leftOut: string[];
  /** isOverdue() said stop before every selected file was written. */
  stoppedEarly: boolean;
}

export class SourceChangedError extends MedicError {
  constructor(rel: string) {
    super('source-changed', `${rel} shrank while it was being archived`);
  }
}

const CHUNK_BYTES = 1 << 20;
const BLOCK = 512;

/**
 * node-tar reads a pax path up to its first newline, so a name with a newline only round-trips
 * when it fits the plain ustar header. Such files are left in place, never archived wrongly.
 */
export function isArchivableName(rel: string): boolean {
  if (!rel.includes('\n')) return true;
  return !new Header({ path: rel, size: 0, mode: 0o644, type: 'File', mtime: new Date(0) }).encode();
}

export async function writeTarGz(tmpPath: string, root: string, files: readonly FileEntry[], isOverdue: () => boolean): Promise<TarWriteResult> {
  const result: TarWriteResult = { entries: [], leftOut: [], stoppedEarly: false };
  async function* generateTar(): AsyncGenerator<Buffer> {
    for (const file of files) {
      if (isOverdue()) {
        result.stoppedEarly = true;
        break;
      }
      const handle = await openUnchanged(root, file);
      if (!handle) {
        result.leftOut.push(file.rel);
        continue;
      }
      try {
        const hash = createHash('sha256');
        yield* encodeHeader(file, (await handle.stat()).mode);
        for (let position = 0; position < file.size; ) {
          const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, file.size - position));
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) throw new SourceChangedError(file.rel);
          const data = chunk.subarray(0, bytesRead);
          hash.update(data);
          yield data;
          position += bytesRead;
        }
        const padding = (BLOCK - (file.size % BLOCK)) % BLOCK;
        if (padding > 0) yield Buffer.alloc(padding);
        result.entries.push({ file, sha256: hash.digest('hex') });
      } finally {
        await handle.close();
      }
    }
    yield Buffer.alloc(2 * BLOCK); // end-of-archive marker
  }
  await pipeline(Readable.from(generateTar()), createGzip(), createWriteStream(tmpPath, { flags: 'wx', mode: 0o600 }));
  return result;
}

/** Opens the selected file if it is still inside the root and unchanged; null otherwise. */
async function openUnchanged(root: string, file: FileEntry): Promise<FileHandle | null> {
  let handle: FileHandle | undefined;
  try {
    const canonical = await assertInside(root, file.path);
    // O_NOFOLLOW: a file swapped for a symlink fails here; O_NONBLOCK: a FIFO can't hang us.
    handle = await open(canonical, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const stats = await handle.stat();
    if (stats.isFile() && isSameFile(stats, file)) return handle;
  } catch {
    // vanished, unreadable or outside the root: left out
  }
  await handle?.close();
  return null;
}

function* encodeHeader(file: FileEntry, mode: number): Generator<Buffer> {
  const fields = { path: file.rel, mode: mode & 0o7777, size: file.size, mtime: new Date(file.mtimeMs), type: 'File' as const };
  const header = new Header(fields);
  if (header.encode()) yield new Pax({ path: file.rel, size: file.size, mtime: fields.mtime }).encode();
  yield header.block!;
}
