// Queues as sampling sources. Queues on one broker (one Redis or RabbitMQ URL) share a lane: one
// QueueSampler, so they share its connection and its backoff, and if that broker is dead they
// are all down anyway. Every other source (another broker, an HTTP endpoint, a command, a spool
// folder) has a lane of its own, so a dead broker never delays another queue.
//
// A lane runs at the shortest interval of its queues; a queue with a longer interval is read on
// the first beat at least its interval after its last read, and repeats its values in between
// (QueueSampler's `intervalMs`).
import { formatMetricKey } from '../core/metrics.js';
import { describeSource } from './queue/describe-source.js';
import { listQueueFields, QueueSampler, type QueueLog, type QueueSpec } from './queue/index.js';
import { SourceLane } from './source-lane.js';

export interface QueueLane {
  /** Same specs and beat give the same signature: such a lane survives a reload with its history. */
  signature: string;
  lane: SourceLane;
  sampler: QueueSampler;
  /** Every metric this lane's queues can have, for "not read yet" unknowns. */
  keys: string[];
}

export interface QueueLaneOptions {
  now: () => number;
  log: QueueLog;
}

/** Queues grouped by source key (the broker URL, which may hold credentials: never logged). */
export function groupQueuesBySource(queues: ReadonlyMap<string, QueueSpec>): Map<string, Map<string, QueueSpec>> {
  const groups = new Map<string, Map<string, QueueSpec>>();
  for (const [name, spec] of queues) {
    const key = describeSource(name, spec).key;
    const group = groups.get(key) ?? new Map<string, QueueSpec>();
    group.set(name, spec);
    groups.set(key, group);
  }
  return groups;
}

export function describeQueueLane(queues: ReadonlyMap<string, QueueSpec>, defaultIntervalMs: number): string {
  return JSON.stringify({ queues: [...queues], periodMs: lanePeriodMs(queues, defaultIntervalMs) });
}

export function createQueueLane(queues: ReadonlyMap<string, QueueSpec>, defaultIntervalMs: number, options: QueueLaneOptions): QueueLane {
  const periodMs = lanePeriodMs(queues, defaultIntervalMs);
  const specs = new Map<string, QueueSpec>();
  for (const [name, spec] of queues) {
    const own = spec.intervalMs ?? defaultIntervalMs;
    const copy: QueueSpec = { ...spec };
    delete copy.intervalMs;
    // Half a beat of slack: a queue due at this beat is read at it, not one beat late.
    if (own > periodMs) copy.intervalMs = own - periodMs / 2;
    specs.set(name, copy);
  }
  const sampler = new QueueSampler(specs, { now: options.now, log: options.log });
  const [firstName, firstSpec] = [...queues][0]!;
  const label = `queues ${[...queues.keys()].join(', ')} (${describeSource(firstName, firstSpec).label})`;
  const lane = new SourceLane({ name: label, intervalMs: periodMs, timeoutMs: Math.max(...[...queues.values()].map((spec) => spec.timeoutMs)), now: options.now, read: async () => sampler.sample(), onError: (message) => options.log('error', message) });
  const keys = [...queues].flatMap(([name, spec]) => [...listQueueFields(spec), 'growth_per_s', 'up'].map((field) => formatMetricKey('queue', field, name)));
  return { signature: describeQueueLane(queues, defaultIntervalMs), lane, sampler, keys };
}

function lanePeriodMs(queues: ReadonlyMap<string, QueueSpec>, defaultIntervalMs: number): number {
  return Math.min(...[...queues.values()].map((spec) => spec.intervalMs ?? defaultIntervalMs));
}
