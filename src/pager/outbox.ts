// The durable pager. A page is written to the journal first (the outbox), then drained to
// Slack, oldest first per route; the retry schedule lives in the journal (next_attempt_at), so a
// restart loses nothing. Stages, like Alertmanager's MultiStage: collapse repeats → journal →
// (drain) hold paused rules → rate limit → group → expire → send → classify → journal the result.
//
// Why no cockatiel CircuitBreakerPolicy here: the breaker keeps its state in memory and times it
// with Date.now(), while the outbox's schedule must survive a restart and follow the tick's
// clock. The journal's head-of-line schedule already is a breaker that persists: when a send
// fails the route is "open" until its oldest page's next_attempt_at (exponential, with jitter);
// then exactly one request probes it ("half-open"); success sends the rest ("closed"). A second
// breaker in memory would only disagree with it after a restart. cockatiel does the retrying
// where there is no journal to keep a schedule in: the direct page sent when the journal itself
// cannot be written (direct-page.ts).
//
// With no webhook configured the page is journaled and logged, then marked `no-webhook`: not
// `sent` (it was not), not `pending` (configuring a webhook later must not flood old pages).
import type { Journal } from '../journal/journal.js';
import type { PageStore } from '../journal/page-store.js';
import type { PageKind, PageRow } from '../journal/rows.js';
import { composeMessage } from './compose-message.js';
import { PageHolds } from './page-holds.js';
import { PageSettler } from './settle-pages.js';
import type { ResolvedContent } from './follow-up-message.js';
import type { PageContent } from './page-content.js';
import { computeRateLimitDelayMs, type RetryDelayOptions } from './retry-delay.js';
import { RouteHealthTracker } from './route-health.js';
import { DEFAULT_ROUTE, type ResolvedRoute } from './routes.js';
import type { SendResult, SlackSender } from './slack-sender.js';
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
  /** More strings to remove from everything journaled or logged; the senders' own `redact` always applies. */
  secrets?: string[];
  /** Jitter source in [0, 1). Defaults to Math.random. */
  random?: () => number;
  log?: OutboxLog;
  /** Pages written within this long after a route's oldest one go out with it as one message. Defaults to 0 (each alone); `paging.group_window` defaults to 30s. */
  groupWindowMs?: number;
  /** At most `count` paging messages in any `windowMs`; the rest wait and go out as one. Defaults to no limit; `paging.rate_limit` defaults to 20 per 1h. */
  rateLimit?: { count: number; windowMs: number };
  /** Pages of a paused rule are held until the pause ends. Defaults to never paused. */
  isPaused?: (rule: string, at: number) => boolean;
}

export interface DrainResult {
  sent: number;
  retried: number;
  failed: number;
  /** Pages journaled and logged only, because no webhook is configured. */
  noWebhook: number;
}

/** What drain() returns: DrainResult and what it did besides sending. */
export interface DrainCounts extends DrainResult {
  /** Pages held back now: their rule is paused, or the hourly limit is reached. */
  held: number;
  /** Pages moved to the default route because their own route cannot deliver. */
  rerouted: number;
}

type Counts = DrainCounts;

type Verdict = 'sent' | 'retried' | 'failed' | 'noWebhook' | 'rerouted';

export class Outbox {
  private draining = false;
  private stopped = false;
  /** Set when a page moved to the default route during this drain, so the default route is drained again. */
  private rerouted = false;
  /** Pages being sent now: a repeat must not replace content that is already on its way. */
  private readonly inFlight = new Set<number>();
  private readonly store: PageStore;
  private readonly now: () => number;
  private readonly delays: RetryDelayOptions;
  private readonly maxAgeMs: number;
  private readonly log: OutboxLog;
  private readonly health: RouteHealthTracker;
  private readonly holds: PageHolds;
  private readonly settle: PageSettler;
  private routes: ReadonlyMap<string, ResolvedRoute>;
  private redact: (text: string) => string = (text) => text;

  constructor(private readonly journal: Journal, routes: SlackSender | null | ReadonlyMap<string, ResolvedRoute>, private options: OutboxOptions = {}) {
    this.store = journal.pageStore;
    this.now = options.now ?? Date.now;
    this.delays = { baseDelayMs: options.baseDelayMs ?? 1000, maxDelayMs: options.maxDelayMs ?? 300_000, random: options.random ?? Math.random };
    this.maxAgeMs = options.maxAgeMs ?? 24 * 3_600_000;
    this.log = options.log ?? (() => {});
    this.health = new RouteHealthTracker(this.store, (level, msg, data) => this.log(level, this.redact(msg), data));
    this.holds = new PageHolds(this.store, journal, () => this.options);
    this.settle = new PageSettler(this.store, journal, this.health, () => this.routes, this.log);
    this.routes = new Map();
    this.setRoutes(routes instanceof Map ? routes : new Map([[DEFAULT_ROUTE, { name: DEFAULT_ROUTE, sender: routes as SlackSender | null, problem: null, source: null, secrets: [] }]]));
  }

  /** New routes after a reload: pages already queued keep their route name (unknown names go to the default). */
  setRoutes(routes: ReadonlyMap<string, ResolvedRoute>): void {
    this.routes = routes;
    const secrets = [...(this.options.secrets ?? []), ...[...routes.values()].flatMap((r) => r.secrets)];
    const redactors = [...routes.values()].flatMap((r) => (r.sender?.redact ? [r.sender.redact.bind(r.sender)] : []));
    this.redact = (text) => redactors.reduce((out, redact) => redact(out), redactSecrets(text, secrets));
    this.health.noteConfigured(routes, this.now());
  }

  /** New grouping window, hourly limit and extra secrets after a reload (call before setRoutes). */
  setPolicy(policy: Pick<OutboxOptions, 'groupWindowMs' | 'rateLimit' | 'secrets'>): void {
    this.options = { ...this.options, ...policy };
  }

  /** The redactor for every secret of every route, for other writers (logs, direct pages). */
  get redactor(): (text: string) => string {
    return (text) => this.redact(text);
  }

  /**
   * Journals a page and returns its id. A page for an incident that already has one pending
   * replaces that page's content (same id, same place in the queue) instead of queuing another.
   */
  enqueue(page: PageContent, at: number, options: { route?: string; kind?: Exclude<PageKind, 'resolved'> } = {}): number {
    const content = redactContent(page, this.redact);
    const kind = options.kind ?? 'page';
    const data = { reason: content.reason, severity: content.severity, kind };
    const pending = content.incidentId !== null ? this.store.pendingFor(content.incidentId) : undefined;
    if (pending && !this.inFlight.has(pending.id)) {
      this.journal.replacePagePayload(pending.id, at, content);
      this.journal.event({ at, kind: 'page-collapsed', incidentId: content.incidentId, rule: content.rule, message: `page #${pending.id} updated instead of queuing another (${content.reason})`, data: { pageId: pending.id, ...data } });
      return pending.id;
    }
    const route = options.route ?? DEFAULT_ROUTE;
    // Grouping saves Slack notifications; a page that can only be logged is logged at once.
    const target = this.routes.get(route) ?? this.routes.get(DEFAULT_ROUTE);
    const dueAt = target?.sender || target?.problem ? at + (this.options.groupWindowMs ?? 0) : at;
    const id = this.store.enqueue({ incidentId: content.incidentId, rule: content.rule, at, payload: content, route, kind, dueAt });
    this.journal.event({ at, kind: 'page-queued', incidentId: content.incidentId, rule: content.rule, message: `${kind} #${id} queued for route ${route}: ${content.reason}`, data: { pageId: id, route, ...data } });
    return id;
  }

  /** Journals a "resolved" follow-up; it goes out on the route of the page it follows, without waiting for a group. */
  enqueueResolved(resolved: ResolvedContent, at: number, route: string): number {
    const id = this.store.enqueue({ incidentId: resolved.incidentId, rule: resolved.rule, at, payload: resolved, route, kind: 'resolved', dueAt: at });
    this.journal.event({ at, kind: 'page-queued', incidentId: resolved.incidentId, rule: resolved.rule, message: `resolved follow-up #${id} queued for route ${route}`, data: { pageId: id, route, kind: 'resolved' } });
    return id;
  }

  /** True while this page is being sent. */
  isInFlight(pageId: number): boolean {
    return this.inFlight.has(pageId);
  }

  /** Sends due pages, oldest first per route. A call while another drain runs returns at once with zeros. */
  async drain(at: number): Promise<Counts> {
    const result: Counts = { sent: 0, retried: 0, failed: 0, noWebhook: 0, held: 0, rerouted: 0 };
    if (this.draining || this.stopped) return result;
    this.draining = true;
    const startedNow = this.now();
    // Times after a send move on from `at` by the real time the sends took.
    const clock = () => at + Math.max(0, this.now() - startedNow);
    try {
      // Routes in the order of their oldest page; pages moved to the default route go out in this drain too.
      const seen = new Set<string>();
      for (;;) {
        const route = this.store.pending().map(routeOf).find((r) => !seen.has(r));
        if (route === undefined || this.stopped) break;
        seen.add(route);
        await this.drainRoute(route, at, clock, result);
        if (this.rerouted) seen.delete(DEFAULT_ROUTE);
        this.rerouted = false;
      }
      return result;
    } finally {
      this.draining = false;
    }
  }

  /** Waits for the drain in progress (sends have timeouts) and starts no other. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.draining) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  private async drainRoute(route: string, at: number, clock: () => number, result: Counts): Promise<void> {
    const done = new Set<number>();
    for (;;) {
      if (this.stopped) return;
      const ready = this.store.pending().filter((p) => {
        if (routeOf(p) !== route || done.has(p.id)) return false;
        const pause = this.holds.checkPause(p, at);
        if (pause !== 'ready') done.add(p.id);
        if (pause === 'held') result.held++;
        return pause === 'ready';
      });
      if (ready.length === 0) return;
      const limited = this.holds.isRateLimited(at);
      if (limited) {
        const held = this.holds.holdForRateLimit(ready, at);
        held.forEach((p) => done.add(p.id));
        result.held += held.length;
      }
      // Follow-ups are not pages: the limit never holds a "resolved" back.
      const candidates = limited ? ready.filter((p) => p.kind === 'resolved') : ready;
      const head = candidates[0];
      // Head of line: nothing overtakes the oldest page, so order holds through retries.
      if (!head || head.nextAttemptAt > at) return;
      const batch = this.holds.gatherBatch(head, candidates);
      for (const page of batch) done.add(page.id);
      const live = this.settle.expire(batch, clock(), this.maxAgeMs);
      if (live.length === 0) {
        result.failed += batch.length;
        continue;
      }
      result.failed += batch.length - live.length;
      const verdict = await this.deliver(route, live, clock);
      result[verdict] += live.length;
      // A retry means Slack (or the way to it) is down or limiting us: leave the route for now.
      if (verdict === 'retried') return;
    }
  }

  private async deliver(routeName: string, batch: PageRow[], clock: () => number): Promise<Verdict> {
    const route = this.routes.get(routeName) ?? this.routes.get(DEFAULT_ROUTE)!;
    const ids = batch.map((p) => p.id);
    const head = batch[0]!;
    if (!route.sender) return route.problem ? this.reject(route.name, batch, clock(), route.problem, 'misconfigured') : this.settle.noWebhook(batch, clock());
    const bot = route.sender.update !== undefined;
    const composed = composeMessage(batch, {
      at: clock(),
      bot,
      ...(this.options.rateLimit ? { rateLimit: this.options.rateLimit } : {}),
      refOf: (incidentId) => this.store.firstRefFor(incidentId),
      firstPageOf: (incidentId) => {
        const first = this.store.firstSettledFor(incidentId);
        return first && { content: first.payload as PageContent, alone: first.batchId === null || this.store.batchSize(first.batchId) <= 1 };
      },
    });
    ids.forEach((id) => this.inFlight.add(id));
    const verdict: SendResult = await route.sender
      .send(composed.message, { ...(composed.thread ? { thread: composed.thread } : {}), ...(composed.broadcast ? { broadcast: true } : {}) })
      // A sender bug must not stop paging: count it as a failed try.
      .catch((error: unknown) => ({ kind: 'retry' as const, reason: `sender error: ${error instanceof Error ? error.message : String(error)}` }))
      .finally(() => ids.forEach((id) => this.inFlight.delete(id)));
    const at = clock();
    if (verdict.kind === 'sent') {
      const ref = verdict.ref ?? composed.thread;
      this.store.markSent(ids, at, composed.thread ? undefined : verdict.ref);
      for (const page of batch) {
        const alone = batch.length === 1 ? '' : ` in one message with ${batch.length - 1} other(s)`;
        this.journal.event({ at, kind: 'page-sent', incidentId: page.incidentId, rule: page.rule, message: `${page.kind === 'page' ? 'page' : page.kind} #${page.id} sent to Slack after ${page.attempts + 1} attempt(s)${alone}`, data: { pageId: page.id, delayedByMs: at - page.createdAt, route: route.name, batchId: head.id } });
      }
      this.health.note(route.name, 'ok', null, at);
      this.log('info', batch.length === 1 ? 'page sent' : `${batch.length} pages sent as one message`, { pageId: head.id, rule: head.rule, incidentId: head.incidentId, route: route.name, attempts: head.attempts + 1 });
      await this.followUp(route.sender, composed, ref);
      return 'sent';
    }
    const reason = this.redact(verdict.reason);
    if (verdict.kind === 'permanent') return this.reject(route.name, batch, at, reason, 'rejected');

    const failedAttempts = head.attempts + 1;
    // Without a Retry-After this is the plain backoff.
    const delayMs = computeRateLimitDelayMs(failedAttempts, verdict.retryAfterMs, this.delays);
    const next = at + delayMs;
    this.store.markRetry(ids, at, reason, next);
    this.store.deferRoute(route.name, next, at);
    const which = ids.length === 1 ? `page #${head.id}` : `pages #${ids.join(', #')}`;
    this.journal.event({ at, kind: 'page-retry', incidentId: head.incidentId, rule: head.rule, message: `${which} not sent (${reason}); next try in ${Math.round(delayMs / 1000)} s`, data: { pageIds: ids, attempts: failedAttempts, nextAttemptAt: next, route: route.name } });
    this.health.note(route.name, 'failing', reason, at);
    this.log('warn', 'page not sent; will retry', { pageId: head.id, rule: head.rule, incidentId: head.incidentId, route: route.name, reason, attempts: failedAttempts, retryInMs: delayMs });
    return 'retried';
  }

  private reject(routeName: string, batch: PageRow[], at: number, reason: string, status: 'rejected' | 'misconfigured'): Verdict {
    const verdict = this.settle.reject(routeName, batch, at, reason, status);
    if (verdict === 'rerouted') this.rerouted = true;
    return verdict;
  }

  /** Bot extras after the message is out: details in its thread, the first message updated. Best effort. */
  private async followUp(sender: SlackSender, composed: ReturnType<typeof composeMessage>, ref: { channel: string; ts: string } | undefined): Promise<void> {
    const extras: Array<[string, Promise<SendResult> | undefined]> = [
      ['details', composed.threadDetails && ref ? sender.send(composed.threadDetails, { thread: ref }) : undefined],
      ['update', composed.update && sender.update ? sender.update(composed.update.ref, composed.update.message) : undefined],
    ];
    for (const [what, pending] of extras) {
      const result = await pending?.catch((error: unknown) => ({ kind: 'retry' as const, reason: String(error) }));
      if (result && result.kind !== 'sent') this.log('warn', `Slack ${what} not posted (the page itself was sent)`, { reason: this.redact(result.reason) });
    }
  }

}

function routeOf(page: PageRow): string {
  return page.route ?? DEFAULT_ROUTE;
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
