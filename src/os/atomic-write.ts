// The one way medic replaces a file: readers see the old content or the new, never half, and
// nothing in the folder can redirect the write. Some targets sit in folders a worker can write
// (a degradation level file), and medic may run as root, so:
// - the temp name is random (`.NAME.<16 hex>.tmp`), not guessable from medic's pid;
// - it is opened O_CREAT|O_EXCL|O_NOFOLLOW: a file or symlink planted at that name makes the
//   open fail instead of being written through;
// - a target that is a symlink is refused (rename would replace the link, not write where it
//   points, but a link there means someone else decided where this file lives);
// - data is fsynced before the rename and the folder after it, so a crash keeps one version.
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fsyncSync, lstatSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class SymlinkTargetError extends Error {
  readonly code = 'ESYMLINK';
  constructor(target: string) {
    super(`refusing to write ${target}: it is a symbolic link`);
    this.name = 'SymlinkTargetError';
  }
}

/** `.NAME.<random>.tmp` next to the target. */
export function tempPathFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
}

/** `temp` is for tests that plant something at the temp name; callers leave it to the random default. */
export async function writeFileAtomic(target: string, data: string | Uint8Array, mode = 0o644, temp = tempPathFor(target)): Promise<void> {
  await refuseSymlink(target);
  const handle = await open(temp, CREATE_FLAGS, mode).catch((error: unknown) => {
    throw nameTarget(error, temp, target);
  });
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw nameTarget(error, temp, target);
  }
  const dir = await open(path.dirname(target), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** The same, synchronous: for a few bytes where an interleaving await would be worse (pid files, probes). */
export function writeFileAtomicSync(target: string, data: string | Uint8Array, mode = 0o644, temp = tempPathFor(target)): void {
  refuseSymlinkSync(target);
  let fd: number;
  try {
    fd = openSync(temp, CREATE_FLAGS, mode);
  } catch (error) {
    throw nameTarget(error, temp, target);
  }
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, target);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw nameTarget(error, temp, target);
  }
  const dir = openSync(path.dirname(target), constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Reads a JSON state file; undefined when it is missing or unreadable (medic then starts clean). */
export async function readJsonFile(target: string): Promise<unknown> {
  try {
    const handle = await open(target, 'r');
    try {
      return JSON.parse(await handle.readFile('utf8')) as unknown;
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

async function refuseSymlink(target: string): Promise<void> {
  const stat = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stat?.isSymbolicLink()) throw new SymlinkTargetError(target);
}

function refuseSymlinkSync(target: string): void {
  let isLink = false;
  try {
    isLink = lstatSync(target).isSymbolicLink();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (isLink) throw new SymlinkTargetError(target);
}

/** Errors name the file the caller asked for (`ENOSPC: ..., open '/var/lib/medic/x'`), not the random temp name. */
function nameTarget(error: unknown, temp: string, target: string): unknown {
  if (!(error instanceof Error)) return error;
  error.message = error.message.split(temp).join(target);
  const errno = error as NodeJS.ErrnoException;
  if (errno.path === temp) errno.path = target;
  return error;
}
