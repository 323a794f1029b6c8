import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, computeRateLimitDelayMs, computeRetryDelayMs } from './retry-delay.js';

const opts = (r: number) => ({ baseDelayMs: 1000, maxDelayMs: 300_000, random: () => r });

describe('computeRetryDelayMs', () => {
  it.each([
    // first failure: between base and twice base
    [1, 0, 1000], [1, 0.999, 1999],
    // doubles with each failure
    [2, 0, 2000], [2, 0.999, 3998], [5, 0, 16_000],
    // capped at maxDelayMs, jitter in its upper half
    [20, 0, 150_000], [20, 0.999, 299_850], [1000, 0.5, 225_000],
  ])('after %d failures with random %d: %d ms', (n, r, ms) => {
    expect(computeRetryDelayMs(n, opts(r))).toBe(ms);
  });

  it('never goes below base nor above max', () => {
    for (let n = 0; n < 40; n++) {
      for (const r of [0, 0.3, 0.999]) {
        const d = computeRetryDelayMs(n, opts(r));
        expect(d).toBeGreaterThanOrEqual(1000);
        expect(d).toBeLessThanOrEqual(300_000);
      }
    }
    expect(computeRetryDelayMs(3, { baseDelayMs: 5000, maxDelayMs: 2000, random: () => 0.5 })).toBe(2000);
  });
});

describe('computeRateLimitDelayMs', () => {
  it('waits at least Retry-After, at least the backoff, and at most an hour', () => {
    expect(computeRateLimitDelayMs(1, 30_000, opts(0))).toBe(30_000);
    expect(computeRateLimitDelayMs(1, 10, opts(0))).toBe(1000);
    expect(computeRateLimitDelayMs(1, undefined, opts(0))).toBe(1000);
    expect(computeRateLimitDelayMs(1, 10 * MAX_RETRY_AFTER_MS, opts(0))).toBe(MAX_RETRY_AFTER_MS);
  });
});
