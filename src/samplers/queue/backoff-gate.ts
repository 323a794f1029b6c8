// Per-source retry backoff: a source that did not answer is skipped until its retry time
// (1 s after the first failure, doubling to 60 s), and reset by the first answer. It also says
// when an outage starts and ends, so each is logged once rather than every tick.

export interface BackoffOptions {
  /** Delay after the first failure, in ms. Defaults to 1 s. */
  initialMs?: number;
  /** Longest delay between retries, in ms. Defaults to 60 s. */
  maxMs?: number;
}

interface Outage {
  since: number;
  failures: number;
  retryAt: number;
  reason: string;
}

export interface OutageEnd {
  downMs: number;
  failures: number;
}

export class BackoffGate {
  private readonly outages = new Map<string, Outage>();
  private readonly initialMs: number;
  private readonly maxMs: number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 1000;
    this.maxMs = options.maxMs ?? 60_000;
  }

  // Null when the source may be tried now; otherwise the reason it is skipped.
  checkSkip(key: string, now: number): string | null {
    const outage = this.outages.get(key);
    if (!outage || now >= outage.retryAt) return null;
    return `${outage.reason} (next try in ${formatSeconds(outage.retryAt - now)})`;
  }

  // Records a failed try; true when it starts an outage. Several queues on one broker fail in
  // the same tick: a failure before the retry time is the same try and does not double the delay.
  recordFailure(key: string, now: number, reason: string): boolean {
    const outage = this.outages.get(key);
    if (!outage) {
      this.outages.set(key, { since: now, failures: 1, retryAt: now + this.initialMs, reason });
      return true;
    }
    if (now < outage.retryAt) return false;
    outage.failures += 1;
    outage.reason = reason;
    outage.retryAt = now + Math.min(this.initialMs * 2 ** Math.min(outage.failures - 1, 30), this.maxMs);
    return false;
  }

  // Records an answer; the outage it ends, if there was one.
  recordSuccess(key: string, now: number): OutageEnd | null {
    const outage = this.outages.get(key);
    if (!outage) return null;
    this.outages.delete(key);
    return { downMs: now - outage.since, failures: outage.failures };
  }

  /** When the source will next be tried, or null when it is not down. */
  retryAt(key: string): number | null {
    return this.outages.get(key)?.retryAt ?? null;
  }
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}
