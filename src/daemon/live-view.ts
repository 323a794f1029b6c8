// What a running medic shows of itself: the status socket (always) and the Prometheus endpoint
// (when `settings.prometheus` asks for it). Neither may keep medic from healing: a socket or a
// port that cannot be had is logged, and medic runs on without it.
import type { DrainResult } from '../pager/outbox.js';
import type { DaemonStatus } from './daemon-status.js';
import type { Logger } from './logger.js';
import type { PrometheusEndpoint } from './prometheus.js';
import type { MetricsSource } from './prometheus-metrics.js';
import { startStatusServer, statusSocketPath, type StatusServer } from './status-server.js';

export interface LiveViewOptions {
  stateDir: string;
  /** Read once at start; a reload does not move the endpoint. */
  prometheus?: { host: string; port: number };
  source: MetricsSource & { status: () => DaemonStatus };
  log: Logger;
}

export class LiveView {
  private constructor(
    private readonly statusServer: StatusServer | null,
    private readonly prometheus: PrometheusEndpoint | null,
  ) {}

  static async start(options: LiveViewOptions): Promise<LiveView> {
    const { log } = options;
    const socketPath = statusSocketPath(options.stateDir);
    const statusServer = await startStatusServer({ socketPath, readStatus: () => options.source.status() }).catch((error: unknown) => {
      log.warn(`live status unavailable (medic diagnose will sample on its own): ${describe(error)}`);
      return null;
    });
    let prometheus: PrometheusEndpoint | null = null;
    if (options.prometheus) {
      const { host, port } = options.prometheus;
      try {
        // Loaded only when asked for: prom-client costs memory a medic without it should not pay.
        const { startPrometheus } = await import('./prometheus.js');
        prometheus = await startPrometheus({ host, port, source: options.source });
        log.info(`Prometheus metrics on ${prometheus.url}`);
      } catch (error) {
        log.error(`Prometheus endpoint not started on ${host}:${port}: ${describe(error)}`);
      }
    }
    return new LiveView(statusServer, prometheus);
  }

  get prometheusUrl(): string | null {
    return this.prometheus?.url ?? null;
  }

  countAction(rule: string, type: string, outcome: string): void {
    this.prometheus?.countAction(rule, type, outcome);
  }

  countPages(result: DrainResult): void {
    this.prometheus?.countPages(result);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.statusServer?.close(), this.prometheus?.close()]);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
