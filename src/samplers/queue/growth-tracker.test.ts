import { describe, expect, it } from 'vitest';
import { GrowthTracker } from './growth-tracker.js';

describe('GrowthTracker', () => {
  it('is unknown until the samples span a tenth of the window', () => {
    const tracker = new GrowthTracker(300_000);
    expect(tracker.record(0, 10)).toMatchObject({ ok: false, reason: expect.stringContaining('30 s of the 5 min window') });
    expect(tracker.record(29_000, 40)).toMatchObject({ ok: false });
    expect(tracker.record(30_000, 40)).toEqual({ ok: true, perSecond: 1 });
  });

  it('measures over the window only', () => {
    const tracker = new GrowthTracker(60_000);
    for (let at = 0; at <= 120_000; at += 10_000) tracker.record(at, at < 60_000 ? 0 : (at - 60_000) / 1000);
    // At 120 s the oldest point inside the window is at 60 s with depth 0; now depth 60.
    expect(tracker.record(120_000, 60)).toEqual({ ok: true, perSecond: 1 });
  });

  it('goes negative while the queue drains', () => {
    const tracker = new GrowthTracker(100_000);
    tracker.record(0, 100);
    expect(tracker.record(50_000, 50)).toEqual({ ok: true, perSecond: -1 });
  });

  it('keeps at most about 100 points however often it is fed', () => {
    const tracker = new GrowthTracker(10_000);
    for (let at = 0; at < 100_000; at += 1) tracker.record(at, at);
    expect((tracker as unknown as { points: unknown[] }).points.length).toBeLessThanOrEqual(101);
    expect(tracker.record(100_000, 100_000)).toMatchObject({ ok: true, perSecond: expect.closeTo(1000, 5) });
  });

  it('drops points from the future when the clock goes back', () => {
    const tracker = new GrowthTracker(100_000);
    tracker.record(50_000, 5);
    expect(tracker.record(10_000, 1)).toMatchObject({ ok: false });
  });
});
