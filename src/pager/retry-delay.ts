// How long a page waits before its next try. Computed from the attempt count the journal keeps,
// not from an in-memory generator, so the schedule survives a restart.

export interface RetryDelayOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** A number in [0, 1); Math.random unless a test fixes it. */
  random: () => number;
}

/**
 * Exponential with "equal jitter": after failed attempt n the delay is drawn from
 * [c/2, c] with c = min(maxDelayMs, baseDelayMs * 2^n), and never below baseDelayMs.
 * The jitter keeps several medics that lost Slack at once from retrying in step.
 */
export function computeRetryDelayMs(failedAttempts: number, o: RetryDelayOptions): number {
  const ceiling = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(1, failedAttempts));
  const floor = Math.min(ceiling, Math.max(o.baseDelayMs, ceiling / 2));
  return Math.round(floor + o.random() * (ceiling - floor));
}

/** The longest Retry-After honoured: a proxy asking for days must not silence paging. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/** A 429 waits at least what Slack asked for, and at least the backoff. */
export function computeRateLimitDelayMs(failedAttempts: number, retryAfterMs: number | undefined, o: RetryDelayOptions): number {
  return Math.max(Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS), computeRetryDelayMs(failedAttempts, o));
}
