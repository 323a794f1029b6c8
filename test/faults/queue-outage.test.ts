// Fault: the queue brokers go away mid-run and come back. medic's queue metrics turn unknown (never
// 0, so no rule acts on a guess), the outage is logged once and the recovery once, healing of
// everything else goes on meanwhile, and when the broker is back the rules see it again.
import path from 'node:path';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, queryJournal, type MedicProcess } from '../helpers/medic-process.js';
import { requireService } from '../helpers/require-service.js';
import { hasRedisServer, startOwnRedis, startTcpProxy, type OwnRedis } from './brokers.js';
import { WORKERS, createFaultBed, createMarker, findPids, onCleanup, useFaultBeds } from './support.js';

useFaultBeds();

const redisServer = hasRedisServer();
if (!redisServer && process.env.CI) throw new Error('redis-server is not installed, and CI is set: the Redis outage test cannot be skipped in CI');
if (!redisServer) console.warn('SKIPPED: redis-server is not installed; the Redis outage test is skipped');
const rabbitUp = await requireService('RabbitMQ', '127.0.0.1', 5672);

function rulesFor(marker: string, queue: string): string {
  return `settings: { interval: 200ms, sampling: { queues: { interval: 200ms, timeout: 500ms } } }
queues:
  jobs: ${queue}
workers:
  w:
    start: [node, ${path.join(WORKERS, 'steady.mjs')}, ${marker}]
    restart_policy: { verify: 300ms, backoff: { initial: 100ms, max: 200ms, reset_after: 500ms } }
rules:
  - name: backlog
    when: queue.jobs.depth > 5
    do: [exec: [/bin/true]]
`;
}

const logsMatching = (medic: MedicProcess, text: string) => medic.logs.filter((line) => line.msg.includes(text));

/** Through an outage: unknown not zero, logged once each way, the rest still heals. */
async function checkOutage(medic: MedicProcess, stateDir: string, marker: string, goDown: () => Promise<void>, comeBack: () => Promise<void>, fill: () => Promise<void>): Promise<void> {
  await medic.waitForLog((line) => line.msg.startsWith('steady: up'));
  await eventually(() => queryJournal(stateDir, `SELECT id FROM events WHERE kind = 'start'`)[0], 'medic to start');
  await goDown();
  const down = await medic.waitForLog((line) => line.msg.includes('queue source down'), 10_000);
  // While the broker is down, a crashed worker is restarted as usual.
  const [pid] = findPids(marker);
  process.kill(pid!, 'SIGKILL');
  await eventually(() => findPids(marker).find((other) => other !== pid), 'the worker to be restarted during the outage', 10_000);
  expect(queryJournal(stateDir, `SELECT id FROM incidents WHERE rule = 'backlog'`)).toEqual([]);

  await comeBack();
  await fill();
  await medic.waitForLog((line) => line.msg.includes('queue source back'), 20_000);
  await eventually(() => queryJournal(stateDir, `SELECT id FROM incidents WHERE rule = 'backlog'`)[0], 'the backlog rule to fire on the returned broker', 20_000);
  expect(logsMatching(medic, 'queue source down')).toHaveLength(1);
  expect(logsMatching(medic, 'queue source back')).toHaveLength(1);
  // During the outage the rule was unknown (journaled once), not false on a made-up 0.
  const unknown = queryJournal<{ message: string }>(stateDir, `SELECT message FROM events WHERE rule = 'backlog' AND kind = 'skip' AND at >= ?`, Number(down['time']) - 100);
  expect(unknown.filter((event) => event.message.includes('queue.jobs.depth'))).toHaveLength(1);
}

describe.runIf(redisServer)('Redis stopped mid-run and started again (a redis-server of the test\'s own)', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(async () => {
    await redis.dispose();
  });

  it('queue metrics turn unknown, never 0; the outage and the return are logged once; healing goes on', async () => {
    const marker = createMarker('redis');
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.rpush('jobs', 'a', 'b', 'c');
    await client.quit();
    const bed = createFaultBed(rulesFor(marker, `{ redis: { url: "${redis.url}", list: jobs } }`));
    const medic = bed.start();
    await checkOutage(medic, bed.stateDir, marker, () => redis.stop(), () => redis.start(), async () => {
      const again = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await again.connect();
      await again.rpush('jobs', ...Array.from({ length: 10 }, (_, i) => `job-${i}`));
      await again.quit();
    });
    await medic.stop();
  });
});

describe.runIf(rabbitUp)('RabbitMQ unreachable mid-run and back (a TCP proxy the test shuts)', () => {
  it('queue metrics turn unknown, never 0; the outage and the return are logged once; healing goes on', async () => {
    const marker = createMarker('rabbit');
    const queue = `medic-faults-${process.pid}-${Date.now()}`;
    const connection = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
    const channel = await connection.createChannel();
    onCleanup(async () => {
      await channel.deleteQueue(queue);
      await connection.close();
    });
    await channel.assertQueue(queue, { durable: false });
    for (let i = 0; i < 3; i++) channel.sendToQueue(queue, Buffer.from(`m${i}`));
    const proxy = await startTcpProxy(5672);
    onCleanup(() => proxy.shut());
    const bed = createFaultBed(rulesFor(marker, `{ rabbitmq: { url: "amqp://guest:guest@127.0.0.1:${proxy.port}", queue: ${queue} } }`));
    const medic = bed.start();
    await checkOutage(medic, bed.stateDir, marker, () => proxy.shut(), () => proxy.open(), async () => {
      for (let i = 0; i < 10; i++) channel.sendToQueue(queue, Buffer.from(`n${i}`));
    });
    // The password never reached the logs.
    expect(medic.output()).not.toContain('guest:guest');
    await medic.stop();
  });
});
