// health: http — GET a URL with node:http(s), one fresh connection per probe, one deadline for
// the whole exchange (connect, request, headers). Never rejects: every end is a ProbeResult.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { describeProbeFailure, describeTimeout, type ProbeResult } from './probe-result.js';

export interface HttpProbeSpec {
  url: string;
  timeoutMs: number;
  /** The status that counts as healthy. Defaults to any 2xx. */
  expectStatus?: number;
}

export function probeHttp(spec: HttpProbeSpec): Promise<ProbeResult> {
  // The config only lets valid http(s) URLs through; this guards callers that build specs by hand.
  const url = URL.canParse(spec.url) ? new URL(spec.url) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    return Promise.resolve({ ok: false, status: 'local-error', httpStatus: null, latencyMs: null, message: 'the health URL is not an http:// or https:// URL' });
  }
  // host:port only: the URL's path, query and userinfo may carry tokens.
  const where = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  const client = url.protocol === 'https:' ? https : http;
  const startedMs = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: ProbeResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    // agent: false — a pooled keep-alive socket would hide a listener that stopped accepting.
    const request = client.request(url, { method: 'GET', agent: false, headers: { 'user-agent': 'medic-health-probe', connection: 'close' } }, (response) => {
      const latencyMs = performance.now() - startedMs;
      const status = response.statusCode ?? 0;
      const ok = spec.expectStatus === undefined ? status >= 200 && status <= 299 : status === spec.expectStatus;
      const expected = spec.expectStatus === undefined ? '2xx' : String(spec.expectStatus);
      settle({ ok, status: ok ? 'ok' : 'wrong-status', httpStatus: status, latencyMs, message: ok ? `${where} answered ${status}` : `${where} answered ${status}, expected ${expected}` });
      // The verdict is in the headers; the body is drained and dropped, cut off at the deadline.
      response.on('error', () => {});
      response.on('end', () => clearTimeout(timer));
      response.resume();
    });
    request.on('error', (error) => {
      clearTimeout(timer);
      settle(describeProbeFailure(error, where));
    });
    request.on('close', () => {
      clearTimeout(timer);
      settle({ ok: false, status: 'network-error', httpStatus: null, latencyMs: null, message: `${where} closed the connection without an answer` });
    });
    const timer = setTimeout(() => {
      settle(describeTimeout(where, spec.timeoutMs));
      request.destroy();
    }, spec.timeoutMs);
    request.end();
  });
}
