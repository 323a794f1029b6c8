import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeadmanPinger } from './deadman.js';

const T0 = 1_700_000_000_000;
let status = 200;
let pings: Array<{ method: string; url: string; body: string }>;
let server: ReturnType<typeof createServer>;
let base: string;
let logs: Array<{ level: string; msg: string }>;

beforeEach(async () => {
  pings = [];
  logs = [];
  status = 200;
  server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      pings.push({ method: req.method ?? '', url: req.url ?? '', body });
      res.writeHead(status).end('OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function pinger(method: 'GET' | 'POST' = 'POST', url = `${base}/ping/0b5e-secret-uuid`) {
  return new DeadmanPinger({ url, everyMs: 60_000, method, host: 'worker-7', timeoutMs: 1000, log: (level, msg) => logs.push({ level, msg }) });
}

describe('DeadmanPinger', () => {
  it('pings after a tick at most every `every`', async () => {
    const p = pinger();
    p.afterTick(T0);
    await p.stop();
    p.afterTick(T0 + 30_000);
    await p.stop();
    p.afterTick(T0 + 60_000);
    await p.stop();
    expect(pings.map((x) => x.method)).toEqual(['POST', 'POST']);
    expect(pings[0]).toEqual({ method: 'POST', url: '/ping/0b5e-secret-uuid', body: `medic on worker-7: tick completed at ${new Date(T0).toISOString()}\n` });
    expect(p.pings).toBe(2);
  });

  it('GETs when told to', async () => {
    const p = pinger('GET');
    p.afterTick(T0);
    await p.stop();
    expect(pings).toEqual([{ method: 'GET', url: '/ping/0b5e-secret-uuid', body: '' }]);
  });

  it('logs a failing switch once per streak, without its URL, and its return', async () => {
    status = 503;
    const p = pinger();
    for (const at of [T0, T0 + 60_000, T0 + 120_000]) {
      p.afterTick(at);
      await p.stop();
    }
    status = 200;
    p.afterTick(T0 + 180_000);
    await p.stop();
    expect(logs).toEqual([
      { level: 'warn', msg: "dead-man switch ping failed: HTTP 503; it will alarm if pings stay away" },
      { level: 'info', msg: 'dead-man switch reachable again' },
    ]);
    // A port nothing listens on any more.
    const gone = createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const port = (gone.address() as AddressInfo).port;
    await new Promise((resolve) => gone.close(resolve));
    const refused = pinger('POST', `http://127.0.0.1:${port}/ping/0b5e-secret-uuid`);
    refused.afterTick(T0);
    await refused.stop();
    expect(logs[2]!.msg).toMatch(/^dead-man switch ping failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
    expect(JSON.stringify(logs)).not.toContain('secret-uuid');
  });
});
