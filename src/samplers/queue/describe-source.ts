// Which source a queue reads, as a backoff/connection key and as a label for logs.
import { redactUrl } from './redact-url.js';
import type { QueueSpec } from './spec.js';

export interface Source {
  /** Backoff and connection key; may hold credentials, never logged. Queues on one broker share it. */
  key: string;
  /** What logs show: the URL with its password redacted, or the queue's kind. */
  label: string;
}

export function describeSource(name: string, spec: QueueSpec): Source {
  if ('redis' in spec) return { key: spec.redis.url, label: `redis ${redactUrl(spec.redis.url)}` };
  if ('rabbitmq' in spec) return { key: spec.rabbitmq.url, label: `rabbitmq ${redactUrl(spec.rabbitmq.url)}` };
  if ('http' in spec) return { key: spec.http.url, label: `http ${redactUrl(spec.http.url)}` };
  if ('command' in spec) return { key: `command:${name}`, label: `command ${spec.command[0]}` };
  return { key: `spool:${name}`, label: `spool ${spec.spool.dir}` };
}

// The longest timeout of the queues on each broker URL: its connection's connect/command timeout.
export function longestTimeoutByUrl(queues: Map<string, QueueSpec>, urlOf: (spec: QueueSpec) => string | undefined): Map<string, number> {
  const timeouts = new Map<string, number>();
  for (const spec of queues.values()) {
    const url = urlOf(spec);
    if (url !== undefined) timeouts.set(url, Math.max(timeouts.get(url) ?? 0, spec.timeoutMs));
  }
  return timeouts;
}
