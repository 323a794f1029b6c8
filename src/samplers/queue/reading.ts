// What one read of one queue gives back, and which fields each kind of source provides.
import type { QueueSpec } from './spec.js';

export type QueueField = 'depth' | 'oldest_age' | 'ready' | 'unacked' | 'consumers' | 'pending' | 'waiting' | 'active' | 'delayed' | 'failed';

export type QueueReading =
  /** The source answered; fields it could not give (a missing RabbitMQ queue, NOGROUP) say why. */
  | { kind: 'answered'; values: Partial<Record<QueueField, number>>; unknown: Partial<Record<QueueField, string>> }
  /** The source did not answer (refused, timed out, failed to run); the sampler backs off. */
  | { kind: 'down'; reason: string };

export function answered(values: Partial<Record<QueueField, number>>, unknown: Partial<Record<QueueField, string>> = {}): QueueReading {
  return { kind: 'answered', values, unknown };
}

export function down(reason: string): QueueReading {
  return { kind: 'down', reason };
}

// Every field this queue's source reads, so a failed read can mark each one unknown
// (growth_per_s and up come from the sampler itself).
export function listQueueFields(spec: QueueSpec): QueueField[] {
  if ('redis' in spec) {
    const source = spec.redis;
    if ('stream' in source) return source.group !== undefined ? ['depth', 'oldest_age', 'pending'] : ['depth', 'oldest_age'];
    if ('bullmq' in source) return ['depth', 'oldest_age', 'waiting', 'active', 'delayed', 'failed'];
    return ['depth'];
  }
  if ('rabbitmq' in spec) return ['depth', 'ready', 'unacked', 'consumers'];
  if ('spool' in spec) return ['depth', 'oldest_age'];
  return ['depth'];
}
