// systemd's notify protocol (sd_notify(3)): READY=1 once started, WATCHDOG=1 while healthy,
// STOPPING=1 on the way out. Node has no unix datagram sockets, hence unix-dgram. Without
// NOTIFY_SOCKET (not under systemd, or Type=simple) every call is a no-op.
import { createRequire } from 'node:module';

interface DgramSocket {
  on(event: 'error', listener: (error: Error) => void): void;
  send(buf: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void;
  close(): void;
}

const require = createRequire(import.meta.url);

export interface Notifier {
  notify(state: string): void;
  /** Microseconds from WATCHDOG_USEC when systemd expects pings, else null. */
  readonly watchdogMs: number | null;
  close(): void;
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env, onError?: (error: Error) => void): Notifier {
  const socketPath = env.NOTIFY_SOCKET;
  const watchdogUsec = Number(env.WATCHDOG_USEC);
  const watchdogPid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : process.pid;
  const watchdogMs = Number.isFinite(watchdogUsec) && watchdogUsec > 0 && watchdogPid === process.pid ? watchdogUsec / 1000 : null;
  if (!socketPath) return { notify() {}, watchdogMs, close() {} };

  const { createSocket } = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };
  const socket = createSocket('unix_dgram');
  socket.on('error', (error) => onError?.(error));
  // An abstract socket is written "@name"; the kernel wants a leading NUL.
  const path = socketPath.startsWith('@') ? `\0${socketPath.slice(1)}` : socketPath;
  return {
    watchdogMs,
    notify(state) {
      const message = Buffer.from(state);
      socket.send(message, 0, message.length, path, (error) => error && onError?.(error));
    },
    close() {
      socket.close();
    },
  };
}
