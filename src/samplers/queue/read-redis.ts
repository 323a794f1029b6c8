// Redis queues: a list (LLEN), a sorted set (ZCARD), a stream (XLEN, and for a consumer group
// XPENDING) and a BullMQ queue read from BullMQ's key layout. One pipeline per read, two for
// the ages. A reply error (WRONGTYPE, NOGROUP) leaves that field unknown; any other error means
// the server did not answer and is thrown for the sampler to back off.
import type { Redis } from 'ioredis';
import { answered, type QueueField, type QueueReading } from './reading.js';
import type { RedisSource } from './spec.js';

type PipelineResult = Array<[Error | null, unknown]>;

export async function readRedisQueue(client: Redis, source: RedisSource, now: number): Promise<QueueReading> {
  if ('list' in source) return readCount(client, 'llen', source.list);
  if ('zset' in source) return readCount(client, 'zcard', source.zset);
  if ('stream' in source) return readStream(client, source.stream, source.group, now);
  return readBullMq(client, source.bullmq, now);
}

async function readCount(client: Redis, command: 'llen' | 'zcard', key: string): Promise<QueueReading> {
  const [result] = await runPipeline(client, [[command, key]]);
  const depth = takeNumber(result!);
  return typeof depth === 'number' ? answered({ depth }) : answered({}, { depth: depth.reason });
}

// Without a group the oldest entry is the stream's first. With one, it is the oldest entry the
// group has not acknowledged: the oldest pending entry or the first one not yet delivered.
async function readStream(client: Redis, key: string, group: string | undefined, now: number): Promise<QueueReading> {
  const values: Partial<Record<QueueField, number>> = {};
  const unknown: Partial<Record<QueueField, string>> = {};
  if (group === undefined) {
    const [length, first] = await runPipeline(client, [['xlen', key], ['xrange', key, '-', '+', 'COUNT', '1']]);
    setNumber(values, unknown, 'depth', takeNumber(length!));
    setAge(values, unknown, first!, (reply) => [firstEntryId(reply)], now);
    return answered(values, unknown);
  }
  const [length, pending, groups] = await runPipeline(client, [['xlen', key], ['xpending', key, group], ['xinfo', 'GROUPS', key]]);
  setNumber(values, unknown, 'depth', takeNumber(length!));
  const [pendingError, summary] = pending!;
  if (pendingError) {
    const reason = /NOGROUP/.test(pendingError.message) ? `consumer group ${group} not found on stream ${key}` : pendingError.message;
    unknown.pending = reason;
    unknown.oldest_age = reason;
    return answered(values, unknown);
  }
  const [count, oldestPendingId] = summary as [number, string | null];
  values.pending = count;
  const lastDelivered = groups![0] ? null : findLastDeliveredId(groups![1], group);
  const [undelivered] = lastDelivered === null ? [] : await runPipeline(client, [['xrange', key, `(${lastDelivered}`, '+', 'COUNT', '1']]);
  setAge(values, unknown, undelivered ?? [null, []], (reply) => [oldestPendingId, firstEntryId(reply)], now);
  return answered(values, unknown);
}

// BullMQ keys (taskforcesh/bullmq src/classes/queue-getters.ts, src/commands/getCounts-1.lua):
// PREFIX:NAME:wait, :paused and :active are lists (LPUSH, so the oldest job is at the tail);
// :prioritized, :delayed, :failed and :waiting-children are sorted sets; each job is a hash
// PREFIX:NAME:ID whose `timestamp` field is when it was added (epoch ms). Queues older than
// BullMQ's marker key may hold a "0:..." marker at the tail of wait/paused: not a job.
// waiting = wait + paused + prioritized; depth = waiting + delayed + waiting-children, as
// BullMQ's Queue.count(). oldest_age looks at the tails of wait and paused and the head of
// prioritized (the most urgent band), so an older low-priority job can be missed.
async function readBullMq(client: Redis, queue: { queue: string; prefix: string }, now: number): Promise<QueueReading> {
  const base = `${queue.prefix}:${queue.queue}:`;
  const replies = await runPipeline(client, [
    ['llen', `${base}wait`], ['llen', `${base}paused`], ['zcard', `${base}prioritized`],
    ['llen', `${base}active`], ['zcard', `${base}delayed`], ['zcard', `${base}failed`], ['zcard', `${base}waiting-children`],
    ['lrange', `${base}wait`, '-2', '-1'], ['lrange', `${base}paused`, '-2', '-1'], ['zrange', `${base}prioritized`, '0', '0'],
  ]);
  const counts = replies.slice(0, 7).map(takeNumber);
  const failure = counts.find((c) => typeof c !== 'number');
  if (failure !== undefined && typeof failure !== 'number') {
    const fields: QueueField[] = ['depth', 'oldest_age', 'waiting', 'active', 'delayed', 'failed'];
    return answered({}, Object.fromEntries(fields.map((f) => [f, `${base}*: ${failure.reason}`])));
  }
  const [wait, paused, prioritized, active, delayed, failed, waitingChildren] = counts as number[];
  const waitTail = jobTail(replies[7]![1]);
  const pausedTail = jobTail(replies[8]![1]);
  const waiting = wait! - waitTail.markers + paused! - pausedTail.markers + prioritized!;
  const values: Partial<Record<QueueField, number>> = { waiting, active: active!, delayed: delayed!, failed: failed!, depth: waiting + delayed! + waitingChildren! };
  const unknown: Partial<Record<QueueField, string>> = {};
  const ids = [waitTail.oldest, pausedTail.oldest, ...((replies[9]![1] as string[] | null) ?? [])].filter((id): id is string => !!id);
  if (waiting === 0 || ids.length === 0) {
    values.oldest_age = 0;
  } else {
    const stamps = await runPipeline(client, ids.map((id) => ['hget', `${base}${id}`, 'timestamp']));
    const times = stamps.map(([error, value]) => (error ? NaN : Number(value))).filter((t) => Number.isFinite(t) && t > 0);
    if (times.length > 0) values.oldest_age = Math.max(0, (now - Math.min(...times)) / 1000);
    else unknown.oldest_age = `no job hash with a timestamp for jobs ${ids.join(', ')}`;
  }
  return answered(values, unknown);
}

// The last two entries of a BullMQ list: the oldest job id, skipping a legacy "0:" marker.
function jobTail(reply: unknown): { oldest: string | null; markers: number } {
  const entries = Array.isArray(reply) ? (reply as string[]) : [];
  const last = entries[entries.length - 1];
  if (last !== undefined && last.startsWith('0:')) return { oldest: entries.length > 1 ? entries[0]! : null, markers: 1 };
  return { oldest: last ?? null, markers: 0 };
}

function findLastDeliveredId(reply: unknown, group: string): string | null {
  for (const info of (reply as unknown[][] | null) ?? []) {
    const fields = new Map<string, unknown>();
    for (let i = 0; i + 1 < info.length; i += 2) fields.set(String(info[i]), info[i + 1]);
    if (fields.get('name') === group) return String(fields.get('last-delivered-id'));
  }
  return null;
}

function firstEntryId(reply: unknown): string | null {
  const entries = reply as Array<[string, unknown]> | null;
  return entries?.[0]?.[0] ?? null;
}

// Stream ids are "<ms>-<seq>"; the age is the oldest id's time. No id: nothing waits, age 0.
function setAge(values: Partial<Record<QueueField, number>>, unknown: Partial<Record<QueueField, string>>, result: [Error | null, unknown], pickIds: (reply: unknown) => Array<string | null>, now: number): void {
  if (result[0]) {
    unknown.oldest_age = result[0].message;
    return;
  }
  const times = pickIds(result[1]).filter((id): id is string => id !== null).map((id) => Number(id.split('-')[0]));
  values.oldest_age = times.length === 0 ? 0 : Math.max(0, (now - Math.min(...times)) / 1000);
}

function setNumber(values: Partial<Record<QueueField, number>>, unknown: Partial<Record<QueueField, string>>, field: QueueField, value: number | { reason: string }): void {
  if (typeof value === 'number') values[field] = value;
  else unknown[field] = value.reason;
}

function takeNumber([error, value]: [Error | null, unknown]): number | { reason: string } {
  if (error) return { reason: error.message };
  return typeof value === 'number' ? value : { reason: `unexpected reply ${JSON.stringify(value)}` };
}

// Runs commands in one round trip. Reply errors come back per command; a connection error
// (every command failed with something that is not a ReplyError) is thrown.
async function runPipeline(client: Redis, commands: string[][]): Promise<PipelineResult> {
  const results = ((await client.pipeline(commands).exec()) ?? []) as PipelineResult;
  const connectionError = results.find(([error]) => error && error.name !== 'ReplyError')?.[0];
  if (connectionError) throw connectionError;
  return results;
}
