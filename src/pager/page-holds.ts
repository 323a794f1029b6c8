// The outbox's holding stages: pages of a paused rule wait for the pause to end (and are
// cancelled if the incident closes meanwhile); past the hourly limit, pages wait for room and
// then go out together. And which waiting pages go out with the oldest one as one message.
import type { Journal } from '../journal/journal.js';
import type { PageStore } from '../journal/page-store.js';
import type { PageRow } from '../journal/rows.js';

export interface HoldPolicy {
  isPaused?: (rule: string, at: number) => boolean;
  rateLimit?: { count: number; windowMs: number };
  groupWindowMs?: number;
}

export type PauseVerdict = 'ready' | 'held' | 'cancelled';

export class PageHolds {
  constructor(
    private readonly store: PageStore,
    private readonly journal: Journal,
    private readonly policy: () => HoldPolicy,
  ) {}

  /** Holds a page of a paused rule; releases it when the pause is over, or cancels it if its incident closed. */
  checkPause(page: PageRow, at: number): PauseVerdict {
    if (page.kind === 'resolved') return 'ready';
    const event = (kind: string, message: string) => this.journal.event({ at, kind, incidentId: page.incidentId, rule: page.rule, message, data: { pageId: page.id, reason: 'paused' } });
    if (this.policy().isPaused?.(page.rule, at)) {
      if (page.heldReason !== 'paused') {
        this.store.hold(page.id, 'paused', at);
        event('page-held', `page #${page.id} held back: rule ${page.rule} is paused`);
      }
      return 'held';
    }
    if (page.heldReason !== 'paused') return 'ready';
    this.store.hold(page.id, null, at);
    const incident = page.incidentId !== null ? this.journal.incident(page.incidentId) : undefined;
    if (incident && incident.status !== 'open') {
      this.store.cancel(page.id, at, `incident #${incident.id} ${incident.status} while rule ${page.rule} was paused`);
      event('page-cancelled', `page #${page.id} not sent: the incident closed while its rule was paused`);
      return 'cancelled';
    }
    event('page-released', `page #${page.id} released: rule ${page.rule} is no longer paused`);
    return 'ready';
  }

  /** True when the hourly limit allows no other paging message now. */
  isRateLimited(at: number): boolean {
    const limit = this.policy().rateLimit;
    return limit !== undefined && this.store.sentMessagesSince(at - limit.windowMs).count >= limit.count;
  }

  /** Marks the due pages (not follow-ups) as held by the limit, journaling each once; returns them. */
  holdForRateLimit(ready: PageRow[], at: number): PageRow[] {
    const { count, windowMs } = this.policy().rateLimit!;
    const held = ready.filter((page) => page.kind !== 'resolved' && page.nextAttemptAt <= at);
    for (const page of held) {
      if (page.heldReason === 'rate-limit') continue;
      this.store.hold(page.id, 'rate-limit', at);
      this.journal.event({ at, kind: 'page-held', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} held back: ${count} pages in the last ${Math.round(windowMs / 60_000)} min already`, data: { pageId: page.id, reason: 'rate-limit' } });
    }
    return held;
  }

  /** The head alone, or with the pages written within the group window after it and those the limit held back. */
  gatherBatch(head: PageRow, candidates: PageRow[]): PageRow[] {
    if (head.kind === 'resolved') return [head];
    const windowMs = this.policy().groupWindowMs ?? 0;
    return candidates.filter((p) => p.kind !== 'resolved' && (p.id === head.id || p.heldReason === 'rate-limit' || (windowMs > 0 && p.createdAt <= head.createdAt + windowMs)));
  }
}
