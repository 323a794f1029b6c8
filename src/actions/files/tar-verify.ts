// Reads an archive back from disk and checks it holds exactly the expected entries: same count,
// same order, same paths, regular files, same sizes and the same sha256 of their content. The
// gzip trailer's CRC is checked by zlib on the way, and strict mode turns tar warnings into errors.
import { createHash } from 'node:crypto';
import * as tar from 'tar';

export interface ExpectedEntry {
  rel: string;
  size: number;
  sha256: string;
}

/** Returns null when the archive matches, otherwise what is wrong with it. */
export async function verifyTarGz(archivePath: string, expected: readonly ExpectedEntry[]): Promise<string | null> {
  const seen: { path: string; type: string; size: number; sha256: string }[] = [];
  try {
    await tar.t({
      file: archivePath,
      strict: true,
      onReadEntry: (entry) => {
        const hash = createHash('sha256');
        let size = 0;
        entry.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          size += chunk.length;
        });
        entry.on('end', () => seen.push({ path: entry.path, type: entry.type, size, sha256: hash.digest('hex') }));
      },
    });
  } catch (error) {
    return `cannot read archive back: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (seen.length !== expected.length) return `archive holds ${seen.length} entries, expected ${expected.length}`;
  for (const [i, want] of expected.entries()) {
    const got = seen[i]!;
    if (got.path !== want.rel) return `entry ${i} is ${JSON.stringify(got.path)}, expected ${JSON.stringify(want.rel)}`;
    if (got.type !== 'File') return `entry ${JSON.stringify(want.rel)} is a ${got.type}, expected a file`;
    if (got.size !== want.size) return `entry ${JSON.stringify(want.rel)} holds ${got.size} bytes, expected ${want.size}`;
    if (got.sha256 !== want.sha256) return `entry ${JSON.stringify(want.rel)} has sha256 ${got.sha256}, expected ${want.sha256}`;
  }
  return null;
}
