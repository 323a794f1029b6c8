// growth_per_s for one queue from its own depth history: (depth now - depth at the oldest point
// still inside the window) / seconds between them. Unknown until the points span a tenth of
// the window (30 s of the default 5 min), so one noisy pair of samples does not fire a rule.
// At most ~100 points are kept per queue: a point is stored only when the last stored one is
// at least 1 % of the window older.

export type GrowthResult = { ok: true; perSecond: number } | { ok: false; reason: string };

interface Point {
  at: number;
  depth: number;
}

export class GrowthTracker {
  private points: Point[] = [];

  constructor(private readonly windowMs: number) {}

  record(at: number, depth: number): GrowthResult {
    // A clock that went back leaves points from the future: drop them.
    this.points = this.points.filter((p) => p.at <= at && p.at >= at - this.windowMs);
    const last = this.points[this.points.length - 1];
    if (!last || at - last.at >= this.windowMs / 100) this.points.push({ at, depth });
    const first = this.points[0]!;
    const spanMs = at - first.at;
    const neededMs = this.windowMs / 10;
    if (spanMs < neededMs) {
      return { ok: false, reason: `needs depth samples spanning ${formatMs(neededMs)} of the ${formatMs(this.windowMs)} window (have ${formatMs(spanMs)})` };
    }
    return { ok: true, perSecond: (depth - first.depth) / (spanMs / 1000) };
  }

  /** Forgets the history (the queue's source changed or was down for longer than the window). */
  reset(): void {
    this.points = [];
  }
}

function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  return `${Math.round(ms / 100) / 10} s`;
}
