// One queue's YAML (the rules file nests these under `queues: { NAME: ... }`), checked by zod
// and turned into a QueueSpec with durations in ms. Each queue has exactly one source:
//
//   jobs:    { redis: { url: redis://127.0.0.1:6379/0, list: jobs } }
//   events:  { redis: { url: redis://127.0.0.1:6379/0, stream: events, group: workers } }
//   delays:  { redis: { url: redis://127.0.0.1:6379/0, zset: retry-at } }
//   emails:  { redis: { url: redis://127.0.0.1:6379/0, bullmq: emails } }
//   mails2:  { redis: { url: redis://127.0.0.1:6379/0, bullmq: { queue: emails, prefix: bull } } }
//   renders: { rabbitmq: { url: amqp://guest:guest@127.0.0.1:5672, queue: renders } }
//   renders: { rabbitmq: { url: amqp://..., queue: renders, management_url: http://guest:guest@127.0.0.1:15672 } }
//   api:     { http: { url: http://127.0.0.1:8080/stats, path: queue.depth }, timeout: 2s }
//   legacy:  { command: [/usr/local/bin/queue-depth, --name, legacy] }
//   spool:   { spool: { dir: /var/spool/render, suffix: .job } }
//
// Options every queue takes: `timeout` (default 5s), `rate_window` for growth_per_s (default 5m),
// `interval` (read at most this often; the last values are repeated in between; default: every sample).
// Durations are text like "500ms", "5s", "2m", "1h", parsed and worded as everywhere else in the rules
// (durationField): a bare number is rejected, not read as milliseconds (`timeout: 2` would time out every read).
import { z } from 'zod';
import { durationField } from '../../config/fields.js';

export type RedisSource =
  | { url: string; list: string }
  | { url: string; stream: string; group?: string }
  | { url: string; zset: string }
  | { url: string; bullmq: { queue: string; prefix: string } };

export interface RabbitMqSource {
  url: string;
  queue: string;
  /** Management HTTP API root (credentials may sit in the URL); gives `unacked`, which AMQP cannot. */
  managementUrl?: string;
}

export interface HttpSource {
  url: string;
  /** Dot path to the number in the JSON body: `data.queue.depth`, `queues[0].size` or `queues.0.size`. */
  path: string;
}

export interface SpoolSource {
  dir: string;
  /** Count only file names ending with this (`.job`). */
  suffix?: string;
}

export type QueueSource =
  | { redis: RedisSource }
  | { rabbitmq: RabbitMqSource }
  | { http: HttpSource }
  | { command: string[] }
  | { spool: SpoolSource };

export type QueueSpec = {
  name?: string;
  /** Read at most once per intervalMs; the last values are repeated in between. Default: every sample. */
  intervalMs?: number;
  /** Longest a read may take before the queue counts as down. Defaults to 5 s. */
  timeoutMs: number;
  /** Window growth_per_s is measured over. Defaults to 5 min. */
  rateWindowMs: number;
} & QueueSource;

export const DEFAULT_TIMEOUT_MS = 5000;
export const DEFAULT_RATE_WINDOW_MS = 300_000;

const positiveDuration = durationField({ example: '5s' });
const name = z.string().min(1, 'must not be empty');
const urlWith = (schemes: string[]) =>
  z.string().refine((text) => schemes.some((s) => text.startsWith(`${s}://`)), `expected a URL starting with ${schemes.map((s) => `${s}://`).join(' or ')}`);

const REDIS_KINDS = ['list', 'stream', 'zset', 'bullmq'] as const;

const RedisSchema = z
  .strictObject({
    url: urlWith(['redis', 'rediss']),
    list: name.optional(),
    stream: name.optional(),
    group: name.optional(),
    zset: name.optional(),
    bullmq: z.union([name, z.strictObject({ queue: name, prefix: name.default('bull') })]).optional(),
  })
  .superRefine((value, ctx) => {
    const kinds = REDIS_KINDS.filter((kind) => value[kind] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `give exactly one of ${REDIS_KINDS.join(', ')}${kinds.length ? ` (got ${kinds.join(', ')})` : ''}` });
    }
    if (value.group !== undefined && value.stream === undefined) {
      ctx.addIssue({ code: 'custom', path: ['group'], message: 'group only applies to a stream' });
    }
  })
  .transform((value): RedisSource => {
    const { url } = value;
    if (value.list !== undefined) return { url, list: value.list };
    if (value.stream !== undefined) return { url, stream: value.stream, ...(value.group !== undefined ? { group: value.group } : {}) };
    if (value.zset !== undefined) return { url, zset: value.zset };
    const bullmq = typeof value.bullmq === 'string' ? { queue: value.bullmq, prefix: 'bull' } : value.bullmq!;
    return { url, bullmq };
  });

const RabbitMqSchema = z
  .strictObject({ url: urlWith(['amqp', 'amqps']), queue: name, management_url: urlWith(['http', 'https']).optional() })
  .transform(({ url, queue, management_url }): RabbitMqSource => ({ url, queue, ...(management_url !== undefined ? { managementUrl: management_url } : {}) }));

const HttpSchema = z.strictObject({ url: urlWith(['http', 'https']), path: name });
const SpoolSchema = z.strictObject({ dir: name, suffix: name.optional() });
const CommandSchema = z.array(z.string()).min(1, 'needs at least the program to run').refine((argv) => argv[0] !== '', 'the program must not be empty');

const SOURCES = ['redis', 'rabbitmq', 'http', 'command', 'spool'] as const;

export const QueueSpecSchema: z.ZodType<QueueSpec> = z
  .strictObject({
    interval: positiveDuration.optional(),
    timeout: positiveDuration.default(DEFAULT_TIMEOUT_MS),
    rate_window: positiveDuration.default(DEFAULT_RATE_WINDOW_MS),
    redis: RedisSchema.optional(),
    rabbitmq: RabbitMqSchema.optional(),
    http: HttpSchema.optional(),
    command: CommandSchema.optional(),
    spool: SpoolSchema.optional(),
  })
  .superRefine((value, ctx) => {
    const given = SOURCES.filter((source) => value[source] !== undefined);
    if (given.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `a queue needs exactly one source: ${SOURCES.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}` });
    }
  })
  .transform((value): QueueSpec => {
    const common = { timeoutMs: value.timeout, rateWindowMs: value.rate_window, ...(value.interval !== undefined ? { intervalMs: value.interval } : {}) };
    if (value.redis) return { ...common, redis: value.redis };
    if (value.rabbitmq) return { ...common, rabbitmq: value.rabbitmq };
    if (value.http) return { ...common, http: value.http };
    if (value.command) return { ...common, command: value.command };
    return { ...common, spool: value.spool! };
  });
