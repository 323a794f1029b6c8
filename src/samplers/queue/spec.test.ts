import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { QueueSpecSchema } from './spec.js';

// The YAML examples from spec.ts's header, as an operator writes them.
const EXAMPLES = `
jobs:    { redis: { url: redis://127.0.0.1:6379/0, list: jobs } }
events:  { redis: { url: redis://127.0.0.1:6379/0, stream: events, group: workers } }
delays:  { redis: { url: redis://127.0.0.1:6379/0, zset: retry-at } }
emails:  { redis: { url: redis://127.0.0.1:6379/0, bullmq: emails } }
mails2:  { redis: { url: redis://127.0.0.1:6379/0, bullmq: { queue: emails, prefix: myapp } } }
renders: { rabbitmq: { url: amqp://guest:guest@127.0.0.1:5672, queue: renders, management_url: http://127.0.0.1:15672 } }
api:     { http: { url: http://127.0.0.1:8080/stats, path: queue.depth }, timeout: 2s }
legacy:  { command: [/usr/local/bin/queue-depth, --name, legacy], interval: 1m }
spool:   { spool: { dir: /var/spool/render, suffix: .job }, rate_window: 10m }
`;

function parseQueue(value: unknown) {
  return QueueSpecSchema.safeParse(value);
}

function messagesOf(value: unknown): string[] {
  const result = parseQueue(value);
  if (result.success) throw new Error('expected a failure');
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('QueueSpecSchema', () => {
  it('accepts every documented shape', () => {
    const queues = parse(EXAMPLES) as Record<string, unknown>;
    const specs = Object.fromEntries(Object.entries(queues).map(([name, value]) => [name, QueueSpecSchema.parse(value)]));
    expect(specs.jobs).toEqual({ timeoutMs: 5000, rateWindowMs: 300_000, redis: { url: 'redis://127.0.0.1:6379/0', list: 'jobs' } });
    expect(specs.events).toMatchObject({ redis: { stream: 'events', group: 'workers' } });
    expect(specs.delays).toMatchObject({ redis: { zset: 'retry-at' } });
    expect(specs.emails).toMatchObject({ redis: { bullmq: { queue: 'emails', prefix: 'bull' } } });
    expect(specs.mails2).toMatchObject({ redis: { bullmq: { queue: 'emails', prefix: 'myapp' } } });
    expect(specs.renders).toMatchObject({ rabbitmq: { queue: 'renders', managementUrl: 'http://127.0.0.1:15672' } });
    expect(specs.api).toMatchObject({ timeoutMs: 2000, http: { path: 'queue.depth' } });
    expect(specs.legacy).toMatchObject({ intervalMs: 60_000, command: ['/usr/local/bin/queue-depth', '--name', 'legacy'] });
    expect(specs.spool).toMatchObject({ rateWindowMs: 600_000, spool: { dir: '/var/spool/render', suffix: '.job' } });
  });

  it('parses durations as the rest of the rules do', () => {
    expect(QueueSpecSchema.parse({ spool: { dir: '/tmp' }, timeout: '1.5s', interval: '1m30s' })).toMatchObject({ timeoutMs: 1500, intervalMs: 90_000 });
  });

  it.each([
    // no source at all
    [{}, 'a queue needs exactly one source'],
    // two sources
    [{ spool: { dir: '/a' }, command: ['x'] }, 'got command, spool'],
    // a typo in a key: strict objects name it
    [{ spool: { dir: '/a' }, timout: '5s' }, 'timout'],
    [{ redis: { url: 'redis://h', lst: 'jobs' } }, 'lst'],
    // Redis needs exactly one kind
    [{ redis: { url: 'redis://h' } }, 'give exactly one of list, stream, zset, bullmq'],
    [{ redis: { url: 'redis://h', list: 'a', zset: 'b' } }, 'got list, zset'],
    [{ redis: { url: 'redis://h', list: 'a', group: 'g' } }, 'group: group only applies to a stream'],
    [{ redis: { url: 'http://h', list: 'a' } }, 'redis.url: expected a URL starting with redis:// or rediss://'],
    [{ rabbitmq: { url: 'amqp://h' } }, 'rabbitmq.queue'],
    [{ http: { url: 'http://h/stats' } }, 'http.path'],
    [{ command: [] }, 'command: needs at least the program to run'],
    [{ command: 'queue-depth --name x' }, 'command'],
    [{ spool: { dir: '/a' }, timeout: '5 minutes' }, 'timeout: expected a duration like "5s", got "5 minutes"'],
    [{ spool: { dir: '/a' }, rate_window: '0s' }, 'rate_window: expected a duration above zero, like "5s", got "0s"'],
    // a bare number is not milliseconds: `timeout: 2` would make every read time out after 2 ms
    [{ spool: { dir: '/a' }, timeout: 2 }, 'timeout: expected a duration like "5s", got 2 (add a unit'],
    [{ spool: { dir: '/a' }, interval: 1500 }, 'interval: expected a duration like "5s", got 1500 (add a unit'],
  ])('rejects %j', (value, message) => {
    expect(messagesOf(value).join('\n')).toContain(message);
  });
});
