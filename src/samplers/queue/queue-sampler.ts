// Samples every named queue in parallel, each under its own timeout, into `queue.NAME.FIELD`
// metrics. One queue failing never affects another. A source that does not answer has its
// metrics unknown with the reason and `up` 0, and is skipped until its backoff retry time
// (1 s after the first failure, doubling to 60 s, reset by an answer); the outage is logged
// once when it starts and once when it ends. Sources are keyed by broker URL, so queues on one
// Redis or RabbitMQ share one connection and one backoff.
import { performance } from 'node:perf_hooks';
import { formatMetricKey } from '../../core/metrics.js';
import type { MetricKey } from '../../core/types.js';
import { AmqpClients } from './amqp-clients.js';
import { BackoffGate, type BackoffOptions } from './backoff-gate.js';
import { describeFailure } from './describe-failure.js';
import { describeSource, longestTimeoutByUrl } from './describe-source.js';
import { GrowthTracker } from './growth-tracker.js';
import { readCommandQueue } from './read-command.js';
import { readHttpQueue } from './read-http.js';
import { readRabbitMqQueue } from './read-rabbitmq.js';
import { readRedisQueue } from './read-redis.js';
import { readSpoolQueue } from './read-spool.js';
import { down, listQueueFields, type QueueReading } from './reading.js';
import { redactSecrets } from './redact-url.js';
import { RedisClients } from './redis-clients.js';
import { killGroup } from './run-in-group.js';
import type { QueueSpec } from './spec.js';
import { withTimeout } from './with-timeout.js';

export type QueueLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type QueueLog = (level: QueueLogLevel, msg: string, data?: Record<string, unknown>) => void;

export interface QueueSamplerOptions {
  /** Clock for ages, growth and backoff (epoch ms). Defaults to Date.now. */
  now?: () => number;
  log?: QueueLog;
  /** Retry backoff for sources that do not answer. Defaults to 1 s doubling to 60 s. */
  backoff?: BackoffOptions;
}

export interface QueueSample {
  values: Map<MetricKey, number>;
  unknown: Map<string, string>;
  /** Per queue (`queue.NAME`), ms the read took; 0 when skipped (backoff) or repeated (interval). */
  durationsMs: Map<string, number>;
}

interface QueueState {
  growth: GrowthTracker;
  /** The last real read, repeated until `intervalMs` has passed. */
  lastRead?: { at: number; values: Map<MetricKey, number>; unknown: Map<string, string> };
}

export class QueueSampler {
  private readonly now: () => number;
  private readonly log: QueueLog;
  private readonly gate: BackoffGate;
  private readonly redis: RedisClients;
  private readonly amqp: AmqpClients;
  private readonly liveGroups = new Set<number>();
  private readonly states = new Map<string, QueueState>();

  constructor(
    private readonly queues: Map<string, QueueSpec>,
    options: QueueSamplerOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.log = options.log ?? (() => undefined);
    this.gate = new BackoffGate(options.backoff);
    this.redis = new RedisClients(longestTimeoutByUrl(queues, (spec) => ('redis' in spec ? spec.redis.url : undefined)));
    this.amqp = new AmqpClients(longestTimeoutByUrl(queues, (spec) => ('rabbitmq' in spec ? spec.rabbitmq.url : undefined)));
    for (const [name, spec] of queues) this.states.set(name, { growth: new GrowthTracker(spec.rateWindowMs) });
  }

  async sample(): Promise<QueueSample> {
    const sample: QueueSample = { values: new Map(), unknown: new Map(), durationsMs: new Map() };
    await Promise.all([...this.queues].map(([name, spec]) => this.sampleQueue(name, spec, sample)));
    return sample;
  }

  /** Quits Redis and AMQP connections and kills the process groups of commands still running. */
  async close(): Promise<void> {
    for (const pid of this.liveGroups) killGroup(pid, 'SIGKILL');
    this.liveGroups.clear();
    await Promise.all([this.redis.closeAll(), this.amqp.closeAll()]);
  }

  private async sampleQueue(name: string, spec: QueueSpec, sample: QueueSample): Promise<void> {
    const state = this.states.get(name)!;
    const key = (field: string): MetricKey => formatMetricKey('queue', field, name);
    const fields = [...listQueueFields(spec), 'growth_per_s'];
    const startedAt = this.now();
    const last = state.lastRead;
    if (last && spec.intervalMs !== undefined && startedAt >= last.at && startedAt - last.at < spec.intervalMs) {
      for (const [k, v] of last.values) sample.values.set(k, v);
      for (const [k, v] of last.unknown) sample.unknown.set(k, v);
      sample.durationsMs.set(`queue.${name}`, 0);
      return;
    }
    const source = describeSource(name, spec);
    const skip = this.gate.checkSkip(source.key, startedAt);
    if (skip !== null) {
      for (const field of fields) sample.unknown.set(key(field), skip);
      sample.values.set(key('up'), 0);
      sample.durationsMs.set(`queue.${name}`, 0);
      return;
    }
    const startedMs = performance.now();
    const reading = await this.read(spec).catch((error: unknown) => down(redactSecrets(describeFailure(error), source.key)));
    sample.durationsMs.set(`queue.${name}`, performance.now() - startedMs);
    const at = this.now();
    const values = new Map<MetricKey, number>();
    const unknown = new Map<string, string>();
    if (reading.kind === 'down') {
      if (this.gate.recordFailure(source.key, at, reading.reason)) {
        this.log('warn', `queue source down: ${source.label}`, { queue: name, source: source.label, reason: reading.reason });
      }
      for (const field of fields) unknown.set(key(field), reading.reason);
      values.set(key('up'), 0);
    } else {
      const ended = this.gate.recordSuccess(source.key, at);
      if (ended) this.log('info', `queue source back: ${source.label}`, { queue: name, source: source.label, downMs: ended.downMs, failures: ended.failures });
      values.set(key('up'), 1);
      for (const [field, value] of Object.entries(reading.values)) values.set(key(field), value);
      for (const [field, reason] of Object.entries(reading.unknown)) unknown.set(key(field), reason);
      const depth = reading.values.depth;
      if (depth === undefined) {
        unknown.set(key('growth_per_s'), reading.unknown.depth ?? 'depth unknown');
      } else {
        const growth = state.growth.record(at, depth);
        if (growth.ok) values.set(key('growth_per_s'), growth.perSecond);
        else unknown.set(key('growth_per_s'), growth.reason);
      }
    }
    state.lastRead = { at: startedAt, values, unknown };
    for (const [k, v] of values) sample.values.set(k, v);
    for (const [k, v] of unknown) sample.unknown.set(k, v);
  }

  private read(spec: QueueSpec): Promise<QueueReading> {
    const ms = spec.timeoutMs;
    if ('redis' in spec) {
      const { url } = spec.redis;
      return withTimeout(this.redis.get(url).then((client) => readRedisQueue(client, spec.redis, this.now())), ms, () => this.redis.discard(url));
    }
    if ('rabbitmq' in spec) {
      const { url } = spec.rabbitmq;
      return withTimeout(readRabbitMqQueue(this.amqp, spec.rabbitmq, ms), ms, () => this.amqp.discard(url));
    }
    if ('http' in spec) return withTimeout(readHttpQueue(spec.http, ms), ms);
    // The command has its own timer, which also kills its process group.
    if ('command' in spec) return readCommandQueue(spec.command, ms, this.liveGroups);
    return withTimeout(readSpoolQueue(spec.spool, this.now()), ms);
  }
}
