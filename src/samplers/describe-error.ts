// Short, stable reasons for `unknown`: `statfs /nope: ENOENT` rather than Node's long message.

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const errno = error as NodeJS.ErrnoException;
    if (typeof errno.code === 'string' && typeof errno.syscall === 'string') {
      return errno.path === undefined ? `${errno.syscall}: ${errno.code}` : `${errno.syscall} ${errno.path}: ${errno.code}`;
    }
    return error.message;
  }
  return String(error);
}

export function isNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}
