import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createNotifier } from './sd-notify.js';

const require = createRequire(import.meta.url);
const unix = require('unix-dgram') as {
  createSocket(type: 'unix_dgram', listener: (buf: Buffer) => void): { bind(path: string): void; close(): void; on(e: string, l: () => void): void };
};

describe('createNotifier', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('sends sd_notify datagrams to NOTIFY_SOCKET', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medic-notify-'));
    dirs.push(dir);
    const path = join(dir, 'notify.sock');
    const received: string[] = [];
    const gotTwo = new Promise<void>((resolve) => {
      const server = unix.createSocket('unix_dgram', (buf) => {
        received.push(buf.toString());
        if (received.length === 2) {
          server.close();
          resolve();
        }
      });
      server.bind(path);
    });
    const notifier = createNotifier({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '30000000' });
    expect(notifier.watchdogMs).toBe(30_000);
    notifier.notify('READY=1');
    notifier.notify('WATCHDOG=1');
    await gotTwo;
    notifier.close();
    expect(received).toEqual(['READY=1', 'WATCHDOG=1']);
  });

  it('is a no-op without NOTIFY_SOCKET, and ignores a watchdog meant for another pid', () => {
    const notifier = createNotifier({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
    expect(notifier.watchdogMs).toBeNull();
    expect(() => notifier.notify('READY=1')).not.toThrow();
  });
});
