// health: tcp — open a TCP connection and close it at once. Never rejects.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { describeProbeFailure, describeTimeout, type ProbeResult } from './probe-result.js';

export interface TcpProbeSpec {
  host: string;
  port: number;
  timeoutMs: number;
}

export function probeTcp(spec: TcpProbeSpec): Promise<ProbeResult> {
  const where = `${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
  const startedMs = performance.now();
  return new Promise((resolve) => {
    const socket = net.connect({ host: spec.host, port: spec.port });
    const finish = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => finish({ ok: true, status: 'ok', httpStatus: null, latencyMs: performance.now() - startedMs, message: `connected to ${where}` }));
    socket.once('error', (error) => finish(describeProbeFailure(error, where)));
    const timer = setTimeout(() => finish(describeTimeout(where, spec.timeoutMs)), spec.timeoutMs);
  });
}
