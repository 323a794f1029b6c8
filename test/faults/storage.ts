// Storage faults for the state folder, as root: a read-only bind mount, and a small ext4 image
// whose filesystem is shut down mid-run (EXT4_IOC_SHUTDOWN after a sync: every later write fails,
// what was written stays, as when a disk error remounts a filesystem read-only). A read-only
// remount itself is refused while medic holds its journal open for writing (EBUSY).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const SHUTDOWN = `import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.syncfs(fd) if hasattr(os, "syncfs") else os.sync()
fcntl.ioctl(fd, 0x8004587D, (1).to_bytes(4, "little"))  # EXT4_IOC_SHUTDOWN, EXT4_GOING_FLAGS_LOGFLUSH
`;

/** null when this machine can stage storage faults, else why not. */
export function checkStorageFaults(): string | null {
  if (process.getuid?.() !== 0) return 'storage faults need root (mount, loop devices)';
  const dir = mkdtempSync(path.join(tmpdir(), 'medic-faults-probe-'));
  try {
    const image = mountImage(dir);
    unmount(image.dir);
    const python = spawnSync('python3', ['-c', 'import fcntl'], { encoding: 'utf8' });
    if (python.status !== 0) return 'python3 is needed to shut a filesystem down (fcntl.ioctl)';
    return null;
  } catch (error) {
    return `cannot mount an ext4 image here: ${(error as Error).message.split('\n')[0]}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A 32 MiB ext4 image under `base`, mounted at `base/mnt`. */
export function mountImage(base: string): { dir: string; image: string } {
  const image = path.join(base, 'state.img');
  const dir = path.join(base, 'mnt');
  mkdirSync(dir, { recursive: true });
  execFileSync('truncate', ['-s', '32M', image]);
  execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'pipe' });
  execFileSync('mount', ['-o', 'loop', image, dir], { stdio: 'pipe' });
  return { dir, image };
}

export function remountImage(image: { dir: string; image: string }): void {
  unmount(image.dir);
  execFileSync('mount', ['-o', 'loop', image.image, image.dir], { stdio: 'pipe' });
}

/** Every write to the filesystem holding `dir` fails from now on; earlier writes are on disk. */
export function shutDownFilesystem(dir: string): void {
  execFileSync('python3', ['-c', SHUTDOWN, dir], { stdio: 'pipe' });
}

/** A read-only view of `source` at `target` (bind mount, then remount read-only). */
export function bindReadOnly(source: string, target: string): void {
  mkdirSync(target, { recursive: true });
  execFileSync('mount', ['--bind', source, target], { stdio: 'pipe' });
  execFileSync('mount', ['-o', 'remount,bind,ro', target], { stdio: 'pipe' });
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir], { stdio: 'pipe' });
  // A process that still holds a file there: detach now, free it when it lets go.
  spawnSync('umount', ['-l', dir], { stdio: 'pipe' });
}
