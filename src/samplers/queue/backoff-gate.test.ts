import { describe, expect, it } from 'vitest';
import { BackoffGate } from './backoff-gate.js';

describe('BackoffGate', () => {
  it('lets a healthy source through', () => {
    expect(new BackoffGate().checkSkip('redis', 0)).toBeNull();
  });

  it('waits 1 s after the first failure, then doubles up to 60 s', () => {
    const gate = new BackoffGate();
    let now = 0;
    const retryTimes: number[] = [];
    expect(gate.recordFailure('redis', now, 'refused')).toBe(true); // outage starts: log it
    for (let i = 0; i < 8; i++) {
      const retryAt = gate.retryAt('redis')!;
      retryTimes.push(retryAt - now);
      expect(gate.checkSkip('redis', retryAt - 1)).toBe('refused (next try in 0.0 s)');
      now = retryAt;
      expect(gate.checkSkip('redis', now)).toBeNull();
      expect(gate.recordFailure('redis', now, 'refused')).toBe(false); // same outage: no log
    }
    expect(retryTimes).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000]);
  });

  it('counts failures before the retry time as the same try (queues sharing a broker)', () => {
    const gate = new BackoffGate();
    gate.recordFailure('amqp', 0, 'refused');
    expect(gate.recordFailure('amqp', 5, 'refused')).toBe(false);
    expect(gate.retryAt('amqp')).toBe(1000);
  });

  it('resets on success and reports the outage once', () => {
    const gate = new BackoffGate();
    gate.recordFailure('redis', 0, 'refused');
    gate.recordFailure('redis', 1000, 'refused');
    expect(gate.recordSuccess('redis', 3500)).toEqual({ downMs: 3500, failures: 2 });
    expect(gate.recordSuccess('redis', 3600)).toBeNull();
    expect(gate.checkSkip('redis', 3600)).toBeNull();
    gate.recordFailure('redis', 4000, 'refused');
    expect(gate.retryAt('redis')).toBe(5000);
  });

  it('keeps sources apart', () => {
    const gate = new BackoffGate();
    gate.recordFailure('a', 0, 'down');
    expect(gate.checkSkip('b', 0)).toBeNull();
  });
});
