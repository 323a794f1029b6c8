// The `health:` probes of every worker, all at once: a tick waits at most for the longest
// timeout, however many workers and however many of them hang.
//
// Metrics: health_ok / tcp_ok are 1 or 0 whenever the probe ran: a refused connection, a timeout
// or a wrong status is an answer (unhealthy), not an unknown. health_status, health_latency and
// tcp_latency exist only when something answered; otherwise they are unknown with the reason
// (`connection refused by 127.0.0.1:8080`). Only a failure inside medic (EMFILE ...) makes the
// _ok metric itself unknown. Probes run whether or not the process is up.
import { formatMetricKey } from '../core/metrics.js';
import type { WorkerHealthSpec } from '../core/types.js';
import { probeHttp } from './probe-http.js';
import type { ProbeResult } from './probe-result.js';
import { probeTcp } from './probe-tcp.js';
import { createSampleResult, type SampleResult } from './sample-result.js';

export interface HealthProbeTarget {
  name: string;
  health?: WorkerHealthSpec;
}

export async function sampleWorkerHealth(targets: readonly HealthProbeTarget[]): Promise<SampleResult> {
  const result = createSampleResult();
  const probes: Promise<void>[] = [];
  for (const { name, health } of targets) {
    const key = (field: string): string => formatMetricKey('worker', field, name);
    if (health?.http) {
      probes.push(probeHttp(health.http).then((answer) => {
        recordAnswer(result, key('health_ok'), key('health_latency'), answer);
        if (answer.httpStatus !== null) result.values.set(key('health_status'), answer.httpStatus);
        else result.unknown.set(key('health_status'), answer.message);
      }));
    }
    if (health?.tcp) probes.push(probeTcp(health.tcp).then((answer) => recordAnswer(result, key('tcp_ok'), key('tcp_latency'), answer)));
  }
  await Promise.all(probes);
  return result;
}

function recordAnswer(result: SampleResult, okKey: string, latencyKey: string, answer: ProbeResult): void {
  if (answer.status === 'local-error') result.unknown.set(okKey, answer.message);
  else result.values.set(okKey, answer.ok ? 1 : 0);
  if (answer.latencyMs !== null) result.values.set(latencyKey, answer.latencyMs / 1000);
  else result.unknown.set(latencyKey, answer.message);
}
