// A RabbitMQ queue: ready messages and consumers from a passive declare over AMQP (live), and,
// with management_url, unacked messages from the management HTTP API (AMQP's declare-ok has no
// unacked count; the API's numbers lag by its stats interval, 5 s by default). The API failing
// leaves only unacked unknown: the broker itself answered.
import type { AmqpClients } from './amqp-clients.js';
import { getJson } from './get-json.js';
import { answered, type QueueReading } from './reading.js';
import { redactSecrets } from './redact-url.js';
import type { RabbitMqSource } from './spec.js';

const NO_MANAGEMENT = 'unacked needs management_url: AMQP reports only ready messages and consumers';

export async function readRabbitMqQueue(clients: AmqpClients, source: RabbitMqSource, timeoutMs: number): Promise<QueueReading> {
  const management = source.managementUrl === undefined ? Promise.resolve({ reason: NO_MANAGEMENT }) : readUnacked(source.managementUrl, source, timeoutMs);
  const check = await clients.checkQueue(source.url, source.queue);
  if (!check.found) {
    return answered({}, { depth: check.reason, ready: check.reason, consumers: check.reason, unacked: check.reason });
  }
  const unacked = await management;
  const values = { depth: check.messageCount, ready: check.messageCount, consumers: check.consumerCount };
  return 'value' in unacked ? answered({ ...values, unacked: unacked.value }) : answered(values, { unacked: unacked.reason });
}

// GET /api/queues/VHOST/NAME. Credentials come from management_url, else from the AMQP URL.
export async function readUnacked(managementUrl: string, source: RabbitMqSource, timeoutMs: number): Promise<{ value: number } | { reason: string }> {
  let url: string;
  let authorization: string;
  try {
    const base = new URL(managementUrl);
    const amqp = new URL(source.url);
    const user = decodeURIComponent(base.username || amqp.username || 'guest');
    const password = decodeURIComponent(base.password || amqp.password || 'guest');
    authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    base.username = '';
    base.password = '';
    const vhost = decodeURIComponent(amqp.pathname.replace(/^\//, '')) || '/';
    url = `${base.toString().replace(/\/$/, '')}/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(source.queue)}`;
  } catch {
    return { reason: 'management_url or url is not a valid URL' };
  }
  const response = await getJson(url, timeoutMs, { authorization });
  if (response.kind === 'failed') return { reason: `management API: ${redactSecrets(redactSecrets(response.reason, managementUrl), source.url)}` };
  if (response.status === 404) return { reason: `queue ${source.queue} not found by the management API` };
  if (response.status < 200 || response.status > 299) return { reason: `management API answered HTTP ${response.status}` };
  if (response.kind === 'not-json') return { reason: 'management API answered something other than JSON' };
  const value = (response.body as { messages_unacknowledged?: unknown } | null)?.messages_unacknowledged;
  if (typeof value !== 'number') return { reason: 'management API has no message stats for the queue yet' };
  return { value };
}
