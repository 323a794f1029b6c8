// One ioredis connection per Redis URL, made on first use and made again after it ends. No
// automatic reconnects and no offline queue: a down server fails a read at once, and the
// sampler's backoff decides when to try again. Every client has an 'error' listener, so a
// refused or dropped connection never becomes an unhandled 'error' event.
import type { Redis } from 'ioredis';

interface Entry {
  client: Redis;
  ready: Promise<Redis>;
}

export class RedisClients {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  // timeoutsMs: the longest read timeout of the queues on each URL, used as the client's
  // connect and command timeout so a hung server does not pile up commands.
  constructor(private readonly timeoutsMs: ReadonlyMap<string, number>) {}

  async get(url: string): Promise<Redis> {
    // ioredis costs ~20 MiB of RSS: loaded when the first Redis queue is read, not at start.
    const { Redis: RedisClient } = await import('ioredis');
    // A read that was loading ioredis when closeAll() ran must not open a connection nobody closes.
    if (this.closed) throw new Error('Redis connections are closed');
    // From here on synchronous, so concurrent reads of one URL share one connection.
    const entry = this.entries.get(url);
    if (entry && !isFinished(entry.client)) return entry.ready;
    if (entry) this.entries.delete(url);
    return this.connect(RedisClient, url);
  }

  private connect(RedisClient: typeof Redis, url: string): Promise<Redis> {
    const timeoutMs = this.timeoutsMs.get(url) ?? 5000;
    const client = new RedisClient(url, {
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: timeoutMs,
      commandTimeout: timeoutMs,
    });
    let lastError: unknown;
    client.on('error', (error: unknown) => {
      lastError = error;
    });
    const ready = client.connect().then(
      () => client,
      (error: unknown) => {
        client.disconnect();
        if (this.entries.get(url)?.client === client) this.entries.delete(url);
        // connect() rejects with "Connection is closed."; the 'error' event had the cause.
        throw lastError ?? error;
      },
    );
    this.entries.set(url, { client, ready });
    return ready;
  }

  /** Drops a URL's connection (after a timeout: it may be wedged); the next read reconnects. */
  discard(url: string): void {
    const entry = this.entries.get(url);
    if (!entry) return;
    this.entries.delete(url);
    entry.client.disconnect();
  }

  async closeAll(): Promise<void> {
    this.closed = true;
    const clients = [...this.entries.values()].map((e) => e.client);
    this.entries.clear();
    await Promise.all(
      clients.map(async (client) => {
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
  }
}

function isFinished(client: Redis): boolean {
  return client.status === 'end' || client.status === 'close';
}
