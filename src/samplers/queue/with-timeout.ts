import { down, type QueueReading } from './reading.js';

// A wedged connection can hold a read forever: after the timeout the read counts as down, and
// `onTimeout` drops the connection so the next try starts a fresh one.
export async function withTimeout(read: Promise<QueueReading>, timeoutMs: number, onTimeout?: () => void): Promise<QueueReading> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<QueueReading>((resolve) => {
    timer = setTimeout(() => {
      onTimeout?.();
      resolve(down(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
  read.catch(() => undefined);
  try {
    return await Promise.race([read, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
