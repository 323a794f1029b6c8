// systemd's side of `Type=notify` + `WatchdogSec=`: a unix datagram socket that medic must tell
// READY=1 once started, WATCHDOG=1 while its loop runs, and STOPPING=1 on SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { eventually, startMedic, type MedicProcess } from '../helpers/medic-process.js';

const require = createRequire(import.meta.url);
const unix = require('unix-dgram') as {
  createSocket(type: 'unix_dgram', listener: (buf: Buffer) => void): { bind(path: string): void; close(): void };
};

const cleanups: Array<() => void | Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('notifies READY=1, feeds the watchdog while sampling, and says STOPPING=1 on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'medic-watchdog-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'rules.yaml'), 'settings: { interval: 200ms }\nrules:\n  - name: r\n    when: memory.total < 0\n    do: [exec: [/bin/true]]\n');
  const socketPath = join(dir, 'notify.sock');
  const received: string[] = [];
  const server = unix.createSocket('unix_dgram', (buf) => received.push(buf.toString()));
  server.bind(socketPath);
  cleanups.push(() => server.close());

  // WATCHDOG_PID must name medic itself; the helper cannot know it before the spawn, so it is left out.
  const medic: MedicProcess = startMedic(['run', '--rules', dir, '--state', join(dir, 'state')], { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1500000' });
  cleanups.push(() => medic.shutdown());
  await eventually(() => (received.filter((m) => m === 'WATCHDOG=1').length >= 2 ? true : undefined), 'two watchdog pings', 15_000);
  expect(received[0]).toBe('READY=1');
  const exit = await medic.stop('SIGTERM');
  expect(exit.code).toBe(0);
  await eventually(() => (received.includes('STOPPING=1') ? true : undefined), 'STOPPING=1');
});
