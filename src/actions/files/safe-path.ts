// Path guards for the file actions. A root is resolved with realpath once; every path is
// checked against it right before it is opened, unlinked or removed, so `..`, a symlinked
// parent or an odd name cannot point an action outside the folder it was configured for.
// No shell is involved anywhere: names with quotes, `$(...)`, newlines or a leading `-` are
// just names.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { MedicError } from '../../core/errors.js';

export class PathEscapeError extends MedicError {
  constructor(
    readonly root: string,
    readonly target: string,
  ) {
    super('path-escape', `refused ${JSON.stringify(target)}: not inside ${root}`);
  }
}

export type RootResult = { ok: true; root: string; dev: number } | { ok: false; reason: string };

/**
 * Resolves a configured folder to the root all later checks compare against. The folder must be
 * absolute, free of `..` segments (a path that climbs out of where it seems to point is refused,
 * not followed), an existing directory, and not `/`. A symlinked folder is resolved once, here.
 */
export async function resolveRoot(dir: unknown, label = 'dir'): Promise<RootResult> {
  if (typeof dir !== 'string' || dir === '') return { ok: false, reason: `${label} must be a non-empty path` };
  if (dir.includes('\0')) return { ok: false, reason: `${label} contains a NUL byte` };
  if (!path.isAbsolute(dir)) return { ok: false, reason: `${label} must be an absolute path, got ${JSON.stringify(dir)}` };
  if (dir.split('/').includes('..')) return { ok: false, reason: `${label} must not contain "..", got ${JSON.stringify(dir)}` };
  let root: string;
  let stats;
  try {
    root = await realpath(dir);
    stats = await lstat(root);
  } catch (error) {
    return { ok: false, reason: `${label} ${JSON.stringify(dir)} cannot be resolved (${describeError(error)})` };
  }
  if (!stats.isDirectory()) return { ok: false, reason: `${label} ${JSON.stringify(dir)} is not a directory` };
  if (root === '/') return { ok: false, reason: `${label} resolves to "/", refusing to work on the whole filesystem` };
  return { ok: true, root, dev: stats.dev };
}

/** True when `target` (already canonical) lies strictly below `root`; the root itself is not inside. */
export function isInside(root: string, target: string): boolean {
  return target.length > root.length + 1 && target.startsWith(`${root}/`);
}

/**
 * Returns the canonical form of `target` (realpath of its parent plus its own name, so a final
 * symlink is not followed) when it lies strictly inside `root`; throws PathEscapeError otherwise.
 * Errors resolving the parent (ENOENT, EACCES) are thrown as they are.
 */
export async function assertInside(root: string, target: string): Promise<string> {
  const name = path.basename(target);
  if (target.includes('\0') || name === '' || name === '.' || name === '..' || target.endsWith('/')) {
    throw new PathEscapeError(root, target);
  }
  const parent = await realpath(path.dirname(target));
  const canonical = parent === '/' ? `/${name}` : `${parent}/${name}`;
  if (!isInside(root, canonical)) throw new PathEscapeError(root, target);
  return canonical;
}

export function describeError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return error instanceof Error ? error.message : String(error);
}
