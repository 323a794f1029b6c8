// The durable pager. A page is written to the journal first (the outbox), then drained to
// Slack oldest first; the retry schedule lives in the journal (next_attempt_at), so a restart
// loses nothing. Stages, like Alertmanager's MultiStage: collapse repeats → journal → (drain)
// expire → send → classify → journal the result.
//
// With no webhook configured the page is journaled and logged, then marked `no-webhook`: not
// `sent` (it was not), not `pending` (configuring a webhook later must not flood old pages).
import type { Journal } from '../journal/journal.js';
import type { PageRow } from '../journal/rows.js';
import type { SlackVerdict } from './classify.js';
import { buildSlackMessage, type PageContent } from './page-content.js';
import { computeRateLimitDelayMs, type RetryDelayOptions } from './retry-delay.js';
import type { SlackSender } from './slack-sender.js';
import { redactSecrets } from './webhook-url.js';

export type OutboxLog = (level: 'info' | 'warn' | 'error', msg: string, data?: object) => void;

export interface OutboxOptions {
  /** Clock for timestamps taken after a send. Defaults to Date.now. */
  now?: () => number;
  /** First retry delay. Defaults to 1000 ms. */
  baseDelayMs?: number;
  /** Longest retry delay. Defaults to 300000 ms (5 min). */
  maxDelayMs?: number;
  /** A page still unsent this long after it was written is marked failed. Defaults to 24 h. */
  maxAgeMs?: number;
  /** More strings to remove from everything journaled or logged; the sender's own `redact` always applies. */
  secrets?: string[];
  /** Jitter source in [0, 1). Defaults to Math.random. */
  random?: () => number;
  log?: OutboxLog;
}

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
  /** Pages journaled and logged only, because no webhook is configured. */
  noWebhook: number;
}

const BATCH = 50;

export class Outbox {
  private draining = false;
  /** The page being sent now: a repeat must not replace content that is already on its way. */
  private inFlightId: number | null = null;
  private readonly now: () => number;
  private readonly delays: RetryDelayOptions;
  private readonly maxAgeMs: number;
  private readonly log: OutboxLog;
  private readonly redact: (text: string) => string;

  constructor(private readonly journal: Journal, private readonly sender: SlackSender | null, options: OutboxOptions = {}) {
    this.now = options.now ?? Date.now;
    this.delays = { baseDelayMs: options.baseDelayMs ?? 1000, maxDelayMs: options.maxDelayMs ?? 300_000, random: options.random ?? Math.random };
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
    this.log = options.log ?? (() => {});
    const secrets = options.secrets ?? [];
    const redactSender = sender?.redact?.bind(sender) ?? ((text: string) => text);
    this.redact = (text) => redactSender(redactSecrets(text, secrets));
  }

  /**
   * Journals a page and returns its id. A page for an incident that already has one pending
   * replaces that page's content (same id, same place in the queue) instead of queuing another.
   */
  enqueue(page: PageContent, at: number): number {
    const content = redactContent(page, this.redact);
    const data = { reason: content.reason, severity: content.severity };
    const pending = content.incidentId !== null ? this.journal.pendingPageFor(content.incidentId) : undefined;
    if (pending && pending.id !== this.inFlightId) {
      this.journal.replacePagePayload(pending.id, at, content);
      this.journal.event({ at, kind: 'page-collapsed', incidentId: content.incidentId, rule: content.rule, message: `page #${pending.id} updated instead of queuing another (${content.reason})`, data: { pageId: pending.id, ...data } });
      return pending.id;
    }
    const id = this.journal.enqueuePage({ incidentId: content.incidentId, rule: content.rule, at, payload: content });
    this.journal.event({ at, kind: 'page-queued', incidentId: content.incidentId, rule: content.rule, message: `page #${id} queued: ${content.reason}`, data: { pageId: id, ...data } });
    return id;
  }

  /** Sends due pages oldest first. A call while another drain runs returns at once with zeros. */
  async drain(at: number): Promise<DrainResult> {
    const result: DrainResult = { sent: 0, retried: 0, failed: 0, noWebhook: 0 };
    if (this.draining) return result;
    this.draining = true;
    const startedNow = this.now();
    // Times after a send move on from `at` by the real time the sends took.
    const clock = () => at + Math.max(0, this.now() - startedNow);
    try {
      for (;;) {
        const due = this.journal.duePages(at, BATCH);
        if (due.length === 0) break;
        for (const page of due) {
          const verdict = await this.deliver(page, clock);
          result[verdict]++;
          // A retry means Slack (or the way to it) is down or limiting us: stop, and keep the
          // queue's order by holding every other page until this one's next try.
          if (verdict === 'retried') return result;
        }
      }
      return result;
    } finally {
      this.draining = false;
    }
  }

  private async deliver(page: PageRow, clock: () => number): Promise<'sent' | 'retried' | 'failed' | 'noWebhook'> {
    const content = page.payload as PageContent;
    const ids = { pageId: page.id, rule: page.rule, incidentId: page.incidentId };
    if (!this.sender) {
      const at = clock();
      const text = buildSlackMessage(content, { delayedByMs: at - page.createdAt }).text;
      this.journal.markPageNoWebhook(page.id, at);
      this.journal.event({ at, kind: 'page-no-webhook', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} not sent: no Slack webhook configured`, data: { pageId: page.id } });
      this.log('warn', 'no Slack webhook configured; page journaled and logged only', { ...ids, text });
      return 'noWebhook';
    }
    if (clock() - page.createdAt > this.maxAgeMs) {
      const error = `expired: not sent within ${Math.round(this.maxAgeMs / 60_000)} min after ${page.attempts} attempts (last error: ${page.lastError ?? 'none'})`;
      return this.fail(page, clock(), error, ids);
    }
    const message = buildSlackMessage(content, { delayedByMs: clock() - page.createdAt });
    this.inFlightId = page.id;
    const verdict: SlackVerdict = await this.sender
      .send(message)
      // A sender bug must not stop paging: count it as a failed try.
      .catch((error: unknown) => ({ kind: 'retry' as const, reason: `sender error: ${error instanceof Error ? error.message : String(error)}` }))
      .finally(() => {
        this.inFlightId = null;
      });
    const at = clock();
    if (verdict.kind === 'sent') {
      this.journal.markPageSent(page.id, at);
      this.journal.event({ at, kind: 'page-sent', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} sent to Slack after ${page.attempts + 1} attempt(s)`, data: { pageId: page.id, delayedByMs: at - page.createdAt } });
      this.log('info', 'page sent', { ...ids, attempts: page.attempts + 1 });
      return 'sent';
    }
    const reason = this.redact(verdict.reason);
    if (verdict.kind === 'permanent') return this.fail(page, at, reason, ids);

    const failedAttempts = page.attempts + 1;
    // Without a Retry-After this is the plain backoff.
    const delayMs = computeRateLimitDelayMs(failedAttempts, verdict.retryAfterMs, this.delays);
    const next = at + delayMs;
    this.journal.markPageRetry(page.id, at, reason, next);
    this.journal.deferPendingPages(next, at);
    this.journal.event({ at, kind: 'page-retry', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} not sent (${reason}); next try in ${Math.round(delayMs / 1000)} s`, data: { pageId: page.id, attempts: failedAttempts, nextAttemptAt: next } });
    this.log('warn', 'page not sent; will retry', { ...ids, reason, attempts: failedAttempts, retryInMs: delayMs });
    return 'retried';
  }

  /** Permanent: journaled and logged once, never tried again. */
  private fail(page: PageRow, at: number, error: string, ids: object): 'failed' {
    this.journal.markPageFailed(page.id, at, error);
    this.journal.event({ at, kind: 'page-failed', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} failed: ${error}`, data: { pageId: page.id } });
    this.log('error', 'page failed and will not be retried', { ...ids, reason: error });
    return 'failed';
  }
}

/** Output tails and messages may echo a secret; none reaches the journal. */
function redactContent(page: PageContent, redact: (text: string) => string): PageContent {
  return {
    ...page,
    detail: redact(page.detail),
    whenText: redact(page.whenText),
    steps: page.steps.map((s) => ({ ...s, description: redact(s.description), message: redact(s.message), outputTail: redact(s.outputTail) })),
  };
}
