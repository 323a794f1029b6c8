// One sampling source on its own beat: reads run one at a time, the latest result is kept with
// the time its read began, and a reader never waits for a read unless it asks to. A read that
// hangs only makes this source's result old; the scheduler turns an old result into unknowns.
import { performance } from 'node:perf_hooks';
import type { MetricKey } from '../core/types.js';

export interface LaneResult {
  values: Map<MetricKey, number>;
  unknown: Map<string, string>;
  /** ms each source took, by source name ('gpu', 'queue.jobs', 'cpu', ...). */
  durationsMs: Map<string, number>;
}

export interface SourceLaneOptions {
  /** For messages: 'host', 'gpu', 'queues redis://…'. */
  name: string;
  intervalMs: number;
  /** Longest a read should take (the reader enforces it); refreshWithin waits this long plus a grace. */
  timeoutMs: number;
  /** One read. Null means "nothing new" (the source repeated an old answer): the last result stays. */
  read: (at: number) => Promise<LaneResult | null>;
  now: () => number;
  /** Where a read that throws (a bug: readers return failures as unknowns) is reported. */
  onError?: (message: string) => void;
}

export class SourceLane {
  private latestResult: { at: number; result: LaneResult } | undefined;
  private running: { startedAt: number; done: Promise<void> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private intervalNowMs: number;

  constructor(private readonly options: SourceLaneOptions) {
    this.intervalNowMs = options.intervalMs;
  }

  get name(): string {
    return this.options.name;
  }

  get intervalMs(): number {
    return this.intervalNowMs;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** A new beat (after a reload); takes effect from the next read. */
  retime(intervalMs: number): void {
    this.intervalNowMs = intervalMs;
  }

  /** The last result and when its read began; undefined until a first read has ended. */
  get latest(): { at: number; result: LaneResult } | undefined {
    return this.latestResult;
  }

  /** When the read now running began, if one is. */
  get runningSince(): number | undefined {
    return this.running?.startedAt;
  }

  /** Reads now, then again every intervalMs (counted from each read's start); resolves when the first read ends. */
  start(): Promise<void> {
    this.stopped = false;
    return this.readAndReschedule();
  }

  /** Starts a read unless one is running; resolves when that read has ended. Never rejects. */
  refresh(at: number = this.options.now()): Promise<void> {
    if (this.running) return this.running.done;
    const done = this.options
      .read(at)
      .then((result) => {
        if (result) this.latestResult = { at, result };
      })
      // Readers return failures as unknowns; a throw is a bug: report it, and let the result age out.
      .catch((error: unknown) => this.options.onError?.(`${this.options.name}: read failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.running = undefined;
      });
    this.running = { startedAt: at, done };
    return done;
  }

  /** refresh(), but waits at most `waitMs`: true when the read ended in time. */
  async refreshWithin(waitMs: number, at: number = this.options.now()): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
    });
    try {
      return await Promise.race([this.refresh(at).then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private readAndReschedule(): Promise<void> {
    const startedMs = performance.now();
    return this.refresh().then(() => this.schedule(Math.max(0, this.intervalNowMs - (performance.now() - startedMs))));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.readAndReschedule(), delayMs);
    // The daemon's own tick timer keeps the process alive; sampling alone must not.
    this.timer.unref();
  }
}
