// QueueSampler against the real local Redis and RabbitMQ, a real loopback HTTP server, real
// child processes and a real spool directory. Keys and queues carry a per-run prefix and are
// removed afterwards.
import { once } from 'node:events';
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectAmqp, type ChannelModel, type GetMessage } from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { QueueSampler, type QueueLogLevel } from '../../src/samplers/queue/queue-sampler.js';
import { QueueSpecSchema, type QueueSpec } from '../../src/samplers/queue/spec.js';
import { eventually } from '../helpers/eventually.js';
import { requireService } from '../helpers/require-service.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const REDIS_URL = 'redis://127.0.0.1:6379/0';
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const RUN = `medic-test-${process.pid}-${Date.now().toString(36)}`;

const redisUp = await requireService('Redis', '127.0.0.1', 6379);
const rabbitUp = await requireService('RabbitMQ', '127.0.0.1', 5672);

// Specs go through the schema, as the rules file's would.
function queues(yaml: Record<string, unknown>): Map<string, QueueSpec> {
  return new Map(Object.entries(yaml).map(([name, value]) => [name, QueueSpecSchema.parse(value)]));
}

interface LogLine {
  level: QueueLogLevel;
  msg: string;
  data?: Record<string, unknown>;
}

const samplers: QueueSampler[] = [];
function createSampler(specs: Map<string, QueueSpec>, clock?: { at: number }): { sampler: QueueSampler; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const sampler = new QueueSampler(specs, { log: (level, msg, data) => logs.push({ level, msg, ...(data ? { data } : {}) }), ...(clock ? { now: () => clock.at } : {}) });
  samplers.push(sampler);
  return { sampler, logs };
}

afterEach(async () => {
  await Promise.all(samplers.splice(0).map((s) => s.close()));
});


describe.runIf(redisUp)('Redis sources', () => {
  let redis: Redis;
  const key = (name: string): string => `${RUN}:${name}`;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys(`${RUN}:*`);
    const bull = await redis.keys(`*:${RUN}-*`);
    if (keys.length + bull.length > 0) await redis.del(...keys, ...bull);
    await redis.quit();
  });

  it('reads a list and a sorted set, then reads them drained', async () => {
    const { sampler } = createSampler(queues({ jobs: { redis: { url: REDIS_URL, list: key('jobs') } }, retry: { redis: { url: REDIS_URL, zset: key('retry') } } }));
    await redis.rpush(key('jobs'), 'a', 'b', 'c');
    await redis.zadd(key('retry'), 1, 'x', 2, 'y');
    let sample = await sampler.sample();
    expect(sample.values.get('queue.jobs.depth')).toBe(3);
    expect(sample.values.get('queue.jobs.up')).toBe(1);
    expect(sample.values.get('queue.retry.depth')).toBe(2);
    expect(sample.values.has('queue.jobs.oldest_age')).toBe(false);
    expect(sample.durationsMs.get('queue.jobs')).toBeGreaterThan(0);
    await redis.del(key('jobs'), key('retry'));
    sample = await sampler.sample();
    expect(sample.values.get('queue.jobs.depth')).toBe(0);
    expect(sample.values.get('queue.retry.depth')).toBe(0);
  });

  it('reports a key of the wrong type as unknown, with the source up', async () => {
    await redis.set(key('not-a-list'), 'x');
    const { sampler } = createSampler(queues({ odd: { redis: { url: REDIS_URL, list: key('not-a-list') } } }));
    const sample = await sampler.sample();
    expect(sample.values.get('queue.odd.up')).toBe(1);
    expect(sample.unknown.get('queue.odd.depth')).toMatch(/WRONGTYPE/);
    expect(sample.unknown.get('queue.odd.growth_per_s')).toMatch(/WRONGTYPE/);
  });

  it('reads a stream: length and the age of its first entry', async () => {
    const clock = { at: 1_010_000 };
    await redis.xadd(key('log'), '1000000-0', 'f', '1');
    await redis.xadd(key('log'), '1005000-0', 'f', '2');
    const { sampler } = createSampler(queues({ log: { redis: { url: REDIS_URL, stream: key('log') } } }), clock);
    const sample = await sampler.sample();
    expect(sample.values.get('queue.log.depth')).toBe(2);
    expect(sample.values.get('queue.log.oldest_age')).toBe(10);
    expect(sample.values.has('queue.log.pending')).toBe(false);
  });

  it('reads a stream consumer group: pending entries and the oldest unacknowledged age', async () => {
    const stream = key('events');
    const clock = { at: 1_011_000 };
    await redis.xgroup('CREATE', stream, 'workers', '0', 'MKSTREAM');
    for (const id of ['1000000-0', '1001000-0', '1002000-0', '1003000-0']) await redis.xadd(stream, id, 'f', id);
    const { sampler } = createSampler(
      queues({ events: { redis: { url: REDIS_URL, stream, group: 'workers' } }, lost: { redis: { url: REDIS_URL, stream, group: 'nobody' } } }),
      clock,
    );
    // Nothing delivered yet: the oldest waiting entry is the first one.
    let sample = await sampler.sample();
    expect(sample.values.get('queue.events.depth')).toBe(4);
    expect(sample.values.get('queue.events.pending')).toBe(0);
    expect(sample.values.get('queue.events.oldest_age')).toBe(11);
    expect(sample.unknown.get('queue.lost.pending')).toBe(`consumer group nobody not found on stream ${stream}`);
    expect(sample.values.get('queue.lost.depth')).toBe(4);

    // Two delivered, the first acknowledged: the oldest unacknowledged is 1001000-0 (pending).
    await redis.xreadgroup('GROUP', 'workers', 'c1', 'COUNT', 2, 'STREAMS', stream, '>');
    await redis.xack(stream, 'workers', '1000000-0');
    sample = await sampler.sample();
    expect(sample.values.get('queue.events.pending')).toBe(1);
    expect(sample.values.get('queue.events.oldest_age')).toBe(10);

    // Everything delivered and acknowledged: nothing waits.
    await redis.xreadgroup('GROUP', 'workers', 'c1', 'STREAMS', stream, '>');
    await redis.xack(stream, 'workers', '1001000-0', '1002000-0', '1003000-0');
    sample = await sampler.sample();
    expect(sample.values.get('queue.events.pending')).toBe(0);
    expect(sample.values.get('queue.events.oldest_age')).toBe(0);
    expect(sample.values.get('queue.events.depth')).toBe(4); // XLEN: acknowledged entries stay until trimmed
  });

  // Written as BullMQ writes them (taskforcesh/bullmq src/commands/addStandardJob, getCounts-1.lua):
  // bull:NAME:wait/paused/active lists (LPUSH: oldest at the tail), prioritized/delayed/failed
  // sorted sets, and one hash per job holding its `timestamp`.
  it('reads a BullMQ queue from its key layout', async () => {
    const name = `${RUN}-emails`;
    const base = `bull:${name}:`;
    const clock = { at: 2_000_000 };
    const job = (id: string, timestamp: number) => redis.hset(`${base}${id}`, 'name', 'send', 'data', '{}', 'timestamp', String(timestamp), 'delay', '0');
    await job('1', 1_900_000);
    await job('2', 1_950_000);
    await job('3', 1_980_000);
    await redis.lpush(`${base}wait`, '1');
    await redis.lpush(`${base}wait`, '2');
    await redis.rpush(`${base}wait`, '0:0'); // marker of queues older than BullMQ's marker key: not a job
    await redis.zadd(`${base}prioritized`, 2 * 0x100000000 + 1, '3');
    await redis.lpush(`${base}active`, '4');
    await redis.zadd(`${base}delayed`, 2_100_000 * 0x1000, '5');
    await redis.zadd(`${base}failed`, 1_990_000, '6', 1_991_000, '7');
    const { sampler } = createSampler(queues({ emails: { redis: { url: REDIS_URL, bullmq: name } } }), clock);
    let sample = await sampler.sample();
    expect(Object.fromEntries([...sample.values].filter(([k]) => k.startsWith('queue.emails.')))).toEqual({
      'queue.emails.up': 1,
      'queue.emails.waiting': 3,
      'queue.emails.active': 1,
      'queue.emails.delayed': 1,
      'queue.emails.failed': 2,
      'queue.emails.depth': 4,
      'queue.emails.oldest_age': 100,
    });

    await redis.del(`${base}wait`, `${base}prioritized`, `${base}delayed`);
    sample = await sampler.sample();
    expect(sample.values.get('queue.emails.depth')).toBe(0);
    expect(sample.values.get('queue.emails.waiting')).toBe(0);
    expect(sample.values.get('queue.emails.oldest_age')).toBe(0);
  });

  it('uses a BullMQ prefix', async () => {
    const name = `${RUN}-prefixed`;
    await redis.lpush(`myapp:${name}:wait`, '1', '2');
    const { sampler } = createSampler(queues({ q: { redis: { url: REDIS_URL, bullmq: { queue: name, prefix: 'myapp' } } } }));
    const sample = await sampler.sample();
    expect(sample.values.get('queue.q.waiting')).toBe(2);
    expect(sample.unknown.get('queue.q.oldest_age')).toBe('no job hash with a timestamp for jobs 1');
    await redis.del(`myapp:${name}:wait`);
  });

  it('measures growth over the rate window with an injected clock', async () => {
    const clock = { at: 0 };
    const { sampler } = createSampler(queues({ jobs: { redis: { url: REDIS_URL, list: key('growth') }, rate_window: '5m' } }), clock);
    let sample = await sampler.sample();
    expect(sample.unknown.get('queue.jobs.growth_per_s')).toMatch(/spanning 30 s of the 5 min window/);
    await redis.rpush(key('growth'), ...Array.from({ length: 60 }, (_, i) => String(i)));
    clock.at = 30_000;
    sample = await sampler.sample();
    expect(sample.values.get('queue.jobs.growth_per_s')).toBe(2);
    await redis.del(key('growth'));
    clock.at = 60_000;
    sample = await sampler.sample();
    expect(sample.values.get('queue.jobs.growth_per_s')).toBe(0);
  });

  it('repeats the last values until the queue interval has passed', async () => {
    const clock = { at: 0 };
    await redis.rpush(key('slow'), 'a');
    const { sampler } = createSampler(queues({ slow: { redis: { url: REDIS_URL, list: key('slow') }, interval: '10s' } }), clock);
    expect((await sampler.sample()).values.get('queue.slow.depth')).toBe(1);
    await redis.rpush(key('slow'), 'b');
    clock.at = 5000;
    const repeated = await sampler.sample();
    expect(repeated.values.get('queue.slow.depth')).toBe(1);
    expect(repeated.durationsMs.get('queue.slow')).toBe(0);
    clock.at = 10_000;
    expect((await sampler.sample()).values.get('queue.slow.depth')).toBe(2);
  });

  it('backs off from a down Redis, logs the outage once and the recovery once', async () => {
    const proxy = await startTcpProxy(6379);
    await proxy.shut();
    const url = `redis://127.0.0.1:${proxy.port}/0`;
    const refused = `connect ECONNREFUSED 127.0.0.1:${proxy.port}`;
    await redis.rpush(key('flaky'), 'a');
    const clock = { at: 0 };
    const { sampler, logs } = createSampler(queues({ a: { redis: { url, list: key('flaky') } }, b: { redis: { url, zset: key('none') } } }), clock);

    let sample = await sampler.sample();
    expect(sample.values.get('queue.a.up')).toBe(0);
    expect(sample.values.get('queue.b.up')).toBe(0);
    expect(sample.unknown.get('queue.a.depth')).toBe(refused);
    expect(sample.unknown.get('queue.a.growth_per_s')).toBe(refused);

    // Inside the 1 s backoff: skipped, not tried (no time spent).
    clock.at = 500;
    sample = await sampler.sample();
    expect(sample.unknown.get('queue.a.depth')).toBe(`${refused} (next try in 0.5 s)`);
    expect(sample.durationsMs.get('queue.a')).toBe(0);

    // Retried at 1 s, failed again: the next try is 2 s later.
    clock.at = 1000;
    sample = await sampler.sample();
    expect(sample.durationsMs.get('queue.a')).toBeGreaterThan(0);
    clock.at = 2500;
    sample = await sampler.sample();
    expect(sample.unknown.get('queue.a.depth')).toMatch(/next try in 0\.5 s/);
    expect(logs).toEqual([{ level: 'warn', msg: `queue source down: redis ${url}`, data: { queue: 'a', source: `redis ${url}`, reason: refused } }]);

    await proxy.open();
    clock.at = 3000;
    sample = await sampler.sample();
    expect(sample.values.get('queue.a.up')).toBe(1);
    expect(sample.values.get('queue.a.depth')).toBe(1);
    expect(sample.values.get('queue.b.depth')).toBe(0);
    expect(logs.slice(1)).toEqual([{ level: 'info', msg: `queue source back: redis ${url}`, data: expect.objectContaining({ downMs: 3000, failures: 2 }) }]);

    // The connection drops under a connected client: down, then a fresh connection later.
    await proxy.shut();
    clock.at = 4000;
    sample = await sampler.sample();
    expect(sample.values.get('queue.a.up')).toBe(0);
    await proxy.open();
    clock.at = 5000;
    sample = await sampler.sample();
    expect(sample.values.get('queue.a.depth')).toBe(1);
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info', 'warn', 'info']);
    await sampler.close();
    await proxy.shut();
  });
});

describe.runIf(rabbitUp)('RabbitMQ source', () => {
  let model: ChannelModel;
  const names: string[] = [];
  const queueName = (label: string): string => {
    const name = `${RUN}-${label}`;
    names.push(name);
    return name;
  };

  beforeAll(async () => {
    model = await connectAmqp(AMQP_URL);
  });
  afterAll(async () => {
    const channel = await model.createChannel();
    for (const name of names) await channel.deleteQueue(name);
    await model.close();
  });

  it('reads ready messages without consuming them; unacked ones leave the ready count', async () => {
    const name = queueName('renders');
    const channel = await model.createConfirmChannel();
    await channel.assertQueue(name, { durable: false });
    for (let i = 0; i < 5; i++) channel.sendToQueue(name, Buffer.from(String(i)));
    await channel.waitForConfirms();
    const { sampler } = createSampler(queues({ renders: { rabbitmq: { url: AMQP_URL, queue: name } } }));
    const readDepth = async () => (await sampler.sample()).values.get('queue.renders.depth');

    let sample = await sampler.sample();
    expect(sample.values.get('queue.renders.depth')).toBe(5);
    expect(sample.values.get('queue.renders.ready')).toBe(5);
    expect(sample.values.get('queue.renders.consumers')).toBe(0);
    expect(sample.values.get('queue.renders.up')).toBe(1);
    expect(sample.unknown.get('queue.renders.unacked')).toBe('unacked needs management_url: AMQP reports only ready messages and consumers');
    expect(await readDepth()).toBe(5); // reading consumed nothing

    // Take all five without acknowledging: no longer ready.
    const taken: GetMessage[] = [];
    for (let i = 0; i < 5; i++) {
      const message = await channel.get(name, { noAck: false });
      if (message) taken.push(message);
    }
    expect(taken).toHaveLength(5);
    await eventually(async () => (await readDepth()) === 0, 'the queue to have no ready messages');
    for (const message of taken) channel.ack(message);

    const consumer = await channel.consume(name, () => undefined);
    sample = await eventually(async () => {
      const s = await sampler.sample();
      return s.values.get('queue.renders.consumers') === 1 && s;
    }, 'the sampler to see the consumer');
    expect(sample.values.get('queue.renders.consumers')).toBe(1);
    expect(sample.values.get('queue.renders.depth')).toBe(0);
    await channel.cancel(consumer.consumerTag);
    await channel.close();
  });

  it('reports a missing queue as unknown without disturbing another queue on the broker', async () => {
    const name = queueName('present');
    const channel = await model.createChannel();
    await channel.assertQueue(name, { durable: false });
    channel.sendToQueue(name, Buffer.from('x'));
    await channel.close();
    const { sampler } = createSampler(queues({ gone: { rabbitmq: { url: AMQP_URL, queue: `${RUN}-missing` } }, here: { rabbitmq: { url: AMQP_URL, queue: name } } }));
    for (let i = 0; i < 2; i++) {
      const sample = await eventually(async () => {
        const s = await sampler.sample();
        return s.values.get('queue.here.depth') === 1 && s;
      }, 'the present queue to be read');
      expect(sample.unknown.get('queue.gone.depth')).toBe(`queue ${RUN}-missing not found`);
      expect(sample.values.get('queue.gone.up')).toBe(1);
      expect(sample.values.get('queue.here.depth')).toBe(1);
    }
  });

  // This machine's RabbitMQ runs without the management plugin (127.0.0.1:15672 refuses), so
  // the management path is checked against a loopback server answering /api/queues/VHOST/NAME
  // with the fields RabbitMQ's API documents.
  it('takes unacked from the management API, with the AMQP credentials', async () => {
    const name = queueName('managed');
    const channel = await model.createChannel();
    await channel.assertQueue(name, { durable: false });
    await channel.close();
    const requests: Array<{ url?: string; auth?: string }> = [];
    const api = createServer((req, res) => {
      requests.push({ url: req.url, auth: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ name, vhost: '/', messages: 3, messages_ready: 1, messages_unacknowledged: 2 }));
    });
    api.listen(0, '127.0.0.1');
    await once(api, 'listening');
    const { port } = api.address() as AddressInfo;
    try {
      const { sampler } = createSampler(
        queues({
          q: { rabbitmq: { url: AMQP_URL, queue: name, management_url: `http://127.0.0.1:${port}/` } },
          closed: { rabbitmq: { url: AMQP_URL, queue: name, management_url: 'http://127.0.0.1:1' } },
        }),
      );
      const sample = await sampler.sample();
      expect(sample.values.get('queue.q.unacked')).toBe(2);
      expect(sample.values.get('queue.q.ready')).toBe(0); // live from AMQP, not the API's stats
      expect(requests).toEqual([{ url: `/api/queues/%2F/${name}`, auth: `Basic ${Buffer.from('guest:guest').toString('base64')}` }]);
      expect(sample.unknown.get('queue.closed.unacked')).toBe('management API: connect ECONNREFUSED 127.0.0.1:1');
      expect(sample.values.get('queue.closed.depth')).toBe(0);
    } finally {
      api.close();
    }
  });

  it('reconnects after the broker connection drops', async () => {
    const name = queueName('reconnect');
    const channel = await model.createChannel();
    await channel.assertQueue(name, { durable: false });
    await channel.close();
    const proxy = await startTcpProxy(5672);
    const clock = { at: 0 };
    const { sampler, logs } = createSampler(queues({ r: { rabbitmq: { url: `amqp://guest:guest@127.0.0.1:${proxy.port}`, queue: name } } }), clock);
    expect((await sampler.sample()).values.get('queue.r.depth')).toBe(0);
    await proxy.shut();
    clock.at = 1000;
    const sample = await sampler.sample();
    expect(sample.values.get('queue.r.up')).toBe(0);
    await proxy.open();
    clock.at = 3000;
    expect((await sampler.sample()).values.get('queue.r.up')).toBe(1);
    expect(logs.map((l) => l.level)).toEqual(['warn', 'info']);
    await sampler.close();
    await proxy.shut();
  });

  it('reports a down broker without its password and backs off', async () => {
    const clock = { at: 0 };
    const url = 'amqp://guest:s3cret@127.0.0.1:1';
    const { sampler, logs } = createSampler(queues({ r: { rabbitmq: { url, queue: 'x' } } }), clock);
    let sample = await sampler.sample();
    expect(sample.values.get('queue.r.up')).toBe(0);
    expect(sample.unknown.get('queue.r.depth')).toBe('connect ECONNREFUSED 127.0.0.1:1');
    clock.at = 999;
    sample = await sampler.sample();
    expect(sample.durationsMs.get('queue.r')).toBe(0);
    expect(logs).toHaveLength(1);
    expect(JSON.stringify(logs) + JSON.stringify([...sample.unknown])).not.toContain('s3cret');
    expect(logs[0]!.msg).toBe('queue source down: rabbitmq amqp://guest:***@127.0.0.1:1');
  });
});

describe('HTTP source', () => {
  let server: Server;
  let port = 0;
  let mode: 'ok' | '500' | 'hang' | 'text' = 'ok';
  let depth = 7;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (mode === 'hang') return;
      if (mode === '500') {
        res.statusCode = 500;
        res.end('boom');
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(mode === 'text' ? 'not json' : JSON.stringify({ data: { queues: [{ name: 'a', depth }] } }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const spec = (extra: Record<string, unknown> = {}) => queues({ api: { http: { url: `http://127.0.0.1:${port}/stats`, path: 'data.queues[0].depth' }, ...extra } });

  it('takes the number at the path, then the drained number', async () => {
    mode = 'ok';
    depth = 7;
    const { sampler } = createSampler(spec());
    expect((await sampler.sample()).values.get('queue.api.depth')).toBe(7);
    depth = 0;
    expect((await sampler.sample()).values.get('queue.api.depth')).toBe(0);
  });

  it('treats an error status as down and a body without the number as answered', async () => {
    mode = '500';
    let sample = await createSampler(spec()).sampler.sample();
    expect(sample.values.get('queue.api.up')).toBe(0);
    expect(sample.unknown.get('queue.api.depth')).toBe('HTTP 500');
    mode = 'text';
    sample = await createSampler(spec()).sampler.sample();
    expect(sample.values.get('queue.api.up')).toBe(1);
    expect(sample.unknown.get('queue.api.depth')).toBe('response is not JSON');
    mode = 'ok';
    sample = await createSampler(queues({ api: { http: { url: `http://127.0.0.1:${port}/stats`, path: 'data.jobs' } } })).sampler.sample();
    expect(sample.unknown.get('queue.api.depth')).toBe('data.jobs not found in the response');
  });

  it('times out a server that never answers', async () => {
    mode = 'hang';
    const startedAt = Date.now();
    const sample = await createSampler(spec({ timeout: '300ms' })).sampler.sample();
    expect(Date.now() - startedAt).toBeLessThan(2000);
    expect(sample.values.get('queue.api.up')).toBe(0);
    expect(sample.unknown.get('queue.api.depth')).toBe('timed out after 300 ms');
  });
});

describe('command source', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medic-queue-cmd-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function script(name: string, body: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, `#!/bin/bash\n${body}\n`);
    await chmod(path, 0o755);
    return path;
  }

  it('reads the number a program prints (argv, no shell)', async () => {
    await writeFile(join(dir, 'count'), '12\n');
    const program = await script('depth.sh', 'cat "$1"');
    const { sampler } = createSampler(queues({ legacy: { command: [program, join(dir, 'count')] } }));
    expect((await sampler.sample()).values.get('queue.legacy.depth')).toBe(12);
    await writeFile(join(dir, 'count'), '0\n');
    expect((await sampler.sample()).values.get('queue.legacy.depth')).toBe(0);
  });

  it('passes arguments through untouched', async () => {
    const program = await script('echo-args.sh', 'echo "$#"');
    const sample = await createSampler(queues({ q: { command: [program, '$(rm -rf /)', 'a b', ';'] } })).sampler.sample();
    expect(sample.values.get('queue.q.depth')).toBe(3);
  });

  it('reports output that is not a number, a failing exit and a program that is missing', async () => {
    const words = await script('words.sh', 'echo "lots"');
    const failing = await script('fail.sh', 'echo "no such queue" >&2; exit 3');
    const sample = await createSampler(queues({ words: { command: [words] }, failing: { command: [failing] }, missing: { command: [join(dir, 'nope')] } })).sampler.sample();
    expect(sample.unknown.get('queue.words.depth')).toBe(`${words} printed "lots", not a number`);
    expect(sample.values.get('queue.words.up')).toBe(1);
    expect(sample.unknown.get('queue.failing.depth')).toBe(`${failing} exited with code 3: no such queue`);
    expect(sample.values.get('queue.failing.up')).toBe(0);
    expect(sample.unknown.get('queue.missing.depth')).toMatch(/ENOENT/);
    expect(sample.values.get('queue.missing.up')).toBe(0);
  });

  it('kills the whole process group of a command that hangs, even members that ignore SIGTERM', async () => {
    const pids = join(dir, 'pids');
    const program = await script('hang.sh', `trap '' TERM\nsleep 30 &\necho "$$ $!" > "${pids}"\nwait`);
    const startedAt = Date.now();
    const sample = await createSampler(queues({ stuck: { command: [program], timeout: '300ms' } })).sampler.sample();
    expect(Date.now() - startedAt).toBeLessThan(1500);
    expect(sample.unknown.get('queue.stuck.depth')).toBe(`${program} timed out after 300 ms; its process group was killed`);
    const [shell, sleeper] = (await readFile(pids, 'utf8')).trim().split(' ').map(Number);
    const gone = async (pid: number) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
      // PID 1 here does not reap orphans: a killed orphan stays a zombie (PLATFORM.md).
      return stat === null || stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
    };
    await eventually(async () => (await gone(shell!)) && (await gone(sleeper!)), 'the shell and its sleep to be gone');
  });
});

describe('spool source', () => {
  let dir: string;
  const now = 1_700_000_000_000;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medic-queue-spool-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('counts regular files, skipping symlinks and subdirectories, with the oldest mtime as age', async () => {
    const spool = join(dir, 'render');
    await mkdir(join(spool, 'sub'), { recursive: true });
    const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000);
    for (const [name, age] of [['a.job', 100], ['b.job', 50], ['c.tmp', 500], ['sub/d.job', 900]] as const) {
      await writeFile(join(spool, name), 'x');
      await utimes(join(spool, name), at(age), at(age));
    }
    const outside = join(dir, 'outside.job');
    await writeFile(outside, 'x');
    await utimes(outside, at(1000), at(1000));
    await symlink(outside, join(spool, 'link.job'));
    await symlink(join(spool, 'sub'), join(spool, 'dirlink.job'));
    expect((await lstat(join(spool, 'link.job'))).isSymbolicLink()).toBe(true);

    const clock = { at: now };
    const { sampler } = createSampler(queues({ jobs: { spool: { dir: spool, suffix: '.job' } }, all: { spool: { dir: spool } } }), clock);
    let sample = await sampler.sample();
    expect(sample.values.get('queue.jobs.depth')).toBe(2);
    expect(sample.values.get('queue.jobs.oldest_age')).toBe(100);
    expect(sample.values.get('queue.all.depth')).toBe(3);
    expect(sample.values.get('queue.all.oldest_age')).toBe(500);

    for (const name of ['a.job', 'b.job', 'c.tmp']) await rm(join(spool, name));
    sample = await sampler.sample();
    expect(sample.values.get('queue.jobs.depth')).toBe(0);
    expect(sample.values.get('queue.jobs.oldest_age')).toBe(0);
  });

  it('reports a missing directory as down', async () => {
    const sample = await createSampler(queues({ gone: { spool: { dir: join(dir, 'nope') } } })).sampler.sample();
    expect(sample.values.get('queue.gone.up')).toBe(0);
    expect(sample.unknown.get('queue.gone.depth')).toBe(`cannot list ${join(dir, 'nope')}: ENOENT`);
  });
});

describe('isolation', () => {
  it('samples all queues in parallel, each under its own timeout; one failing leaves the others known', async () => {
    const hang = createServer(() => undefined);
    hang.listen(0, '127.0.0.1');
    await once(hang, 'listening');
    const { port } = hang.address() as AddressInfo;
    const dir = await mkdtemp(join(tmpdir(), 'medic-queue-iso-'));
    try {
      await writeFile(join(dir, 'a'), 'x');
      const { sampler } = createSampler(
        queues({
          slow: { http: { url: `http://127.0.0.1:${port}/`, path: 'n' }, timeout: '400ms' },
          slower: { command: ['sleep', '5'], timeout: '400ms' },
          refused: { redis: { url: 'redis://127.0.0.1:1/0', list: 'x' } },
          fine: { spool: { dir } },
        }),
      );
      const startedAt = Date.now();
      const sample = await sampler.sample();
      // In parallel: about one timeout, not the sum of them.
      expect(Date.now() - startedAt).toBeLessThan(1500);
      expect(sample.values.get('queue.fine.depth')).toBe(1);
      expect(sample.values.get('queue.slow.up')).toBe(0);
      expect(sample.values.get('queue.slower.up')).toBe(0);
      expect(sample.values.get('queue.refused.up')).toBe(0);
    } finally {
      hang.closeAllConnections();
      hang.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
