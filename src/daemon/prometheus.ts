// The opt-in Prometheus endpoint (`settings.prometheus: { listen: 127.0.0.1:9464 }`): GET
// /metrics in the text exposition format. The daemon loads this module only when the setting is
// there, so a medic without it pays nothing for prom-client.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DrainResult } from '../pager/outbox.js';
import { MedicMetrics, type MetricsSource } from './prometheus-metrics.js';

export interface PrometheusOptions {
  host: string;
  port: number;
  source: MetricsSource;
}

export interface PrometheusEndpoint {
  /** `http://127.0.0.1:9464/metrics`, with the port the kernel gave when 0 was asked for. */
  url: string;
  countAction(rule: string, type: string, outcome: string): void;
  countPages(result: DrainResult): void;
  close(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusEndpoint> {
  const metrics = new MedicMetrics(options.source);
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /metrics\n');
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
  try {
    await listen(server, options.host, options.port);
  } catch (error) {
    metrics.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/metrics`,
    countAction: (rule, type, outcome) => metrics.countAction(rule, type, outcome),
    countPages: (result) => metrics.countPages(result),
    async close() {
      metrics.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
