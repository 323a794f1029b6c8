// Pings a dead-man's switch (healthchecks.io and the like) after successful ticks, at most every
// `everyMs`: when medic dies or its loop hangs the pings stop, and the switch tells on-call.
// The URL usually holds a secret id, so it is redacted like a webhook.
import { redactSecrets } from './webhook-url.js';

export interface DeadmanOptions {
  url: string;
  everyMs: number;
  method: 'GET' | 'POST';
  host: string;
  /** Per ping. Defaults to 10000 ms. */
  timeoutMs?: number;
  log: (level: 'info' | 'warn', msg: string, data?: object) => void;
}

export class DeadmanPinger {
  private lastAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  private failing = false;
  private sent = 0;

  constructor(private readonly options: DeadmanOptions) {}

  /** Pings: how many answered 2xx. */
  get pings(): number {
    return this.sent;
  }

  /** Call only after a tick completed: a hung or failing loop must stop the pings. */
  afterTick(at: number): void {
    if (this.inFlight || at - this.lastAt < this.options.everyMs) return;
    this.lastAt = at;
    this.inFlight = this.ping(at).finally(() => {
      this.inFlight = null;
    });
  }

  async stop(): Promise<void> {
    await this.inFlight;
  }

  private async ping(at: number): Promise<void> {
    const { url, method, timeoutMs = 10_000 } = this.options;
    try {
      const res = await fetch(url, {
        method,
        ...(method === 'POST' ? { body: `medic on ${this.options.host}: tick completed at ${new Date(at).toISOString()}\n`, headers: { 'content-type': 'text/plain' } } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.arrayBuffer();
      if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status}`);
      this.sent++;
      if (this.failing) this.options.log('info', 'dead-man switch reachable again');
      this.failing = false;
    } catch (error) {
      // Logged once per failing streak: the switch itself will alarm if this goes on.
      if (!this.failing) {
        const cause = (error as { cause?: { message?: string } }).cause?.message;
        const detail = redactSecrets(cause ?? (error instanceof Error ? error.message : String(error)), [url]);
        this.options.log('warn', `dead-man switch ping failed: ${detail}; it will alarm if pings stay away`);
      }
      this.failing = true;
    }
  }
}
