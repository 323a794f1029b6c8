// One AMQP connection per broker URL, made on first use and made again after it closes, and
// one channel per queue: a passive declare of a missing queue makes the server close the
// channel (404), which must not fail the other queues' reads on the same connection. Every
// connection and channel has 'error' listeners, so nothing reaches an unhandled 'error' event.
import type { Channel, ChannelModel } from 'amqplib';

interface Broker {
  model: Promise<ChannelModel>;
  channels: Map<string, Promise<Channel>>;
}

export type QueueCheck = { found: true; messageCount: number; consumerCount: number } | { found: false; reason: string };

export class AmqpClients {
  private readonly brokers = new Map<string, Broker>();

  constructor(private readonly timeoutsMs: ReadonlyMap<string, number>) {}

  // A passive queue.declare: consumes nothing, creates nothing.
  async checkQueue(url: string, queue: string): Promise<QueueCheck> {
    const channel = await this.getChannel(url, queue);
    try {
      const reply = await channel.checkQueue(queue);
      return { found: true, messageCount: reply.messageCount, consumerCount: reply.consumerCount };
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return { found: false, reason: `queue ${queue} not found` };
      throw error;
    }
  }

  /** Drops a broker's connection (after a timeout: it may be wedged); the next read reconnects. */
  discard(url: string): void {
    const broker = this.brokers.get(url);
    if (!broker) return;
    this.brokers.delete(url);
    broker.model.then((model) => model.close()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    const brokers = [...this.brokers.values()];
    this.brokers.clear();
    await Promise.all(brokers.map((b) => b.model.then((model) => model.close()).catch(() => undefined)));
  }

  private async getChannel(url: string, queue: string): Promise<Channel> {
    const broker = this.getBroker(url);
    let channel = broker.channels.get(queue);
    if (!channel) {
      channel = broker.model.then(async (model) => {
        const created = await model.createChannel();
        created.on('error', () => undefined);
        created.on('close', () => {
          if (broker.channels.get(queue) === channel) broker.channels.delete(queue);
        });
        return created;
      });
      broker.channels.set(queue, channel);
      channel.catch(() => {
        if (broker.channels.get(queue) === channel) broker.channels.delete(queue);
      });
    }
    return channel;
  }

  private getBroker(url: string): Broker {
    const existing = this.brokers.get(url);
    if (existing) return existing;
    const broker: Broker = {
      // amqplib costs ~6 MiB of RSS: loaded when the first RabbitMQ queue is read, not at start.
      // The broker is registered before the import settles, so closeAll() and discard() reach it.
      model: import('amqplib')
        .then(({ connect }) => connect(url, { timeout: this.timeoutsMs.get(url) ?? 5000 }))
        .then((model) => {
          model.on('error', () => undefined);
          model.on('close', () => {
            if (this.brokers.get(url) === broker) this.brokers.delete(url);
          });
          return model;
        }),
      channels: new Map(),
    };
    broker.model.catch(() => {
      if (this.brokers.get(url) === broker) this.brokers.delete(url);
    });
    this.brokers.set(url, broker);
    return broker;
  }
}
