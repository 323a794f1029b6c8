// Open file descriptors of one process: the entries of /proc/PID/fd. Listing another user's
// fd folder needs root (or CAP_SYS_PTRACE), so "not permitted" is a reason, not a failure.
import { readdirSync } from 'node:fs';
import { describeError, isNotFound } from './describe-error.js';

export function countOpenFds(pid: number, procDir = '/proc'): { count: number } | { error: string } {
  const folder = `${procDir}/${pid}/fd`;
  try {
    return { count: readdirSync(folder).length };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return { error: `not permitted to list ${folder}: medic runs as another user than the worker` };
    if (isNotFound(error)) return { error: `pid ${pid} is gone` };
    return { error: describeError(error) };
  }
}
