// The health probes against real loopback servers: an HTTP server with one route per behaviour,
// a TCP listener, and ports that nothing listens on.
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeHttp } from './probe-http.js';
import { probeTcp } from './probe-tcp.js';
import { sampleWorkerHealth } from './worker-health.js';

let server: http.Server;
let base: string;
let listener: net.Server;
let listenerPort: number;
let closedPort: number;
/** Responses held open by /hang and /stream until the test ends. */
const held: http.ServerResponse[] = [];
const streamClosed: Promise<void>[] = [];

beforeAll(async () => {
  server = http.createServer((request, response) => {
    switch (request.url) {
      case '/ok':
        response.end('ok');
        return;
      case '/fail':
        response.writeHead(500).end('broken');
        return;
      case '/no-content':
        response.writeHead(204).end();
        return;
      case '/hang': // never answers: the probe must give up at its deadline
        held.push(response);
        return;
      case '/stream': // headers at once, then a body that never ends
        response.writeHead(200);
        response.write('partial');
        streamClosed.push(once(response, 'close').then(() => undefined));
        held.push(response);
        return;
      default:
        response.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;

  listener = net.createServer((socket) => socket.end());
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  listenerPort = (listener.address() as net.AddressInfo).port;

  // A port that was just free: bind it, then let it go.
  const probe = net.createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  for (const response of held) response.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => listener.close(() => resolve()));
});

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const startedMs = performance.now();
  const result = await run();
  return { result, elapsedMs: performance.now() - startedMs };
}

describe('probeHttp', () => {
  it('is healthy on 200, with the status and a latency', async () => {
    const answer = await probeHttp({ url: `${base}/ok`, timeoutMs: 2000 });
    expect(answer).toMatchObject({ ok: true, status: 'ok', httpStatus: 200 });
    expect(answer.latencyMs).toBeGreaterThan(0);
    expect(answer.latencyMs).toBeLessThan(2000);
  });

  it('is unhealthy on 500, which is still an answer with a status and latency', async () => {
    const answer = await probeHttp({ url: `${base}/fail`, timeoutMs: 2000 });
    expect(answer).toMatchObject({ ok: false, status: 'wrong-status', httpStatus: 500, message: expect.stringContaining('answered 500, expected 2xx') });
    expect(answer.latencyMs).toBeGreaterThan(0);
  });

  it('takes expect_status literally: 204 is fine when asked for, 200 is not', async () => {
    expect(await probeHttp({ url: `${base}/no-content`, timeoutMs: 2000, expectStatus: 204 })).toMatchObject({ ok: true, httpStatus: 204 });
    expect(await probeHttp({ url: `${base}/ok`, timeoutMs: 2000, expectStatus: 204 })).toMatchObject({ ok: false, status: 'wrong-status', httpStatus: 200 });
  });

  it('gives up on a server that does not answer at its deadline', async () => {
    const { result, elapsedMs } = await timed(() => probeHttp({ url: `${base}/hang`, timeoutMs: 150 }));
    expect(result).toEqual({ ok: false, status: 'timed-out', httpStatus: null, latencyMs: null, message: expect.stringMatching(/^no answer from 127\.0\.0\.1:\d+ within 150 ms$/) });
    expect(elapsedMs).toBeGreaterThanOrEqual(140);
    expect(elapsedMs).toBeLessThan(1000);
  });

  it('answers at the headers and cuts off a body that never ends at the deadline', async () => {
    const { result, elapsedMs } = await timed(() => probeHttp({ url: `${base}/stream`, timeoutMs: 150 }));
    expect(result).toMatchObject({ ok: true, httpStatus: 200 });
    expect(elapsedMs).toBeLessThan(150);
    await streamClosed[0]; // the server sees the connection go: nothing leaks
  });

  it('reports a refused connection without the URL, which may carry credentials', async () => {
    const answer = await probeHttp({ url: `http://user:s3cret@127.0.0.1:${closedPort}/healthz?token=t0k3n`, timeoutMs: 2000 });
    expect(answer).toEqual({ ok: false, status: 'refused', httpStatus: null, latencyMs: null, message: `connection refused by 127.0.0.1:${closedPort}` });
  });
});

describe('probeTcp', () => {
  it('connects to a listener', async () => {
    const answer = await probeTcp({ host: '127.0.0.1', port: listenerPort, timeoutMs: 1000 });
    expect(answer).toMatchObject({ ok: true, status: 'ok', httpStatus: null });
    expect(answer.latencyMs).toBeGreaterThan(0);
  });

  it('is refused by a closed port', async () => {
    expect(await probeTcp({ host: '127.0.0.1', port: closedPort, timeoutMs: 1000 })).toEqual({
      ok: false,
      status: 'refused',
      httpStatus: null,
      latencyMs: null,
      message: `connection refused by 127.0.0.1:${closedPort}`,
    });
  });

  it('never waits past its timeout for an address that does not answer', async () => {
    // TEST-NET-1 (RFC 5737): dropped (timed out), unroutable or rejected by a firewall, depending
    // on the machine; whichever, the probe is unhealthy and done by its deadline.
    const { result, elapsedMs } = await timed(() => probeTcp({ host: '192.0.2.1', port: 9, timeoutMs: 200 }));
    expect(result.ok).toBe(false);
    expect(['timed-out', 'network-error', 'refused']).toContain(result.status);
    expect(elapsedMs).toBeLessThan(1000);
  });
});

describe('sampleWorkerHealth', () => {
  it('turns answers into metrics: an answer is a value, no answer leaves status and latency unknown with the reason', async () => {
    const result = await sampleWorkerHealth([
      { name: 'good', health: { http: { url: `${base}/ok`, timeoutMs: 2000 }, tcp: { host: '127.0.0.1', port: listenerPort, timeoutMs: 1000 } } },
      { name: 'sick', health: { http: { url: `${base}/fail`, timeoutMs: 2000 } } },
      { name: 'gone', health: { http: { url: `http://127.0.0.1:${closedPort}/`, timeoutMs: 2000 }, tcp: { host: '127.0.0.1', port: closedPort, timeoutMs: 1000 } } },
      { name: 'plain' },
    ]);
    expect(result.values.get('worker.good.health_ok')).toBe(1);
    expect(result.values.get('worker.good.health_status')).toBe(200);
    expect(result.values.get('worker.good.health_latency')).toBeGreaterThan(0);
    expect(result.values.get('worker.good.health_latency')).toBeLessThan(2); // seconds
    expect(result.values.get('worker.good.tcp_ok')).toBe(1);
    expect(result.values.get('worker.good.tcp_latency')).toBeLessThan(1);

    expect(result.values.get('worker.sick.health_ok')).toBe(0);
    expect(result.values.get('worker.sick.health_status')).toBe(500);
    expect(result.values.has('worker.sick.health_latency')).toBe(true);

    const refused = `connection refused by 127.0.0.1:${closedPort}`;
    expect(result.values.get('worker.gone.health_ok')).toBe(0);
    expect(result.values.get('worker.gone.tcp_ok')).toBe(0);
    for (const field of ['health_status', 'health_latency', 'tcp_latency']) {
      expect(result.values.has(`worker.gone.${field}`)).toBe(false);
      expect(result.unknown.get(`worker.gone.${field}`)).toBe(refused);
    }
    expect([...result.values.keys()].some((key) => key.startsWith('worker.plain.'))).toBe(false);
    expect(result.unknown.size).toBe(3);
  });

  it('runs every probe at once: five hung workers cost one timeout, not five', async () => {
    const targets = Array.from({ length: 5 }, (_, index) => ({ name: `w${index}`, health: { http: { url: `${base}/hang`, timeoutMs: 200 } } }));
    const { result, elapsedMs } = await timed(() => sampleWorkerHealth(targets));
    expect(elapsedMs).toBeLessThan(700);
    for (const { name } of targets) {
      expect(result.values.get(`worker.${name}.health_ok`)).toBe(0);
      expect(result.unknown.get(`worker.${name}.health_status`)).toMatch(/within 200 ms/);
    }
  });
});
