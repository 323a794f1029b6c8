// What the daemon calls to page: one incident, one page (repeats collapse into the pending page,
// or are dropped within the reminder interval), a reminder while it stays open, a follow-up when
// it clears; routes, grouping and the hourly limit in the outbox; and watching the watcher: the
// dead-man's switch, and a direct page when the journal itself cannot be written.
import type { PagingConfig } from '../core/types.js';
import type { Journal } from '../journal/journal.js';
import type { PageRow } from '../journal/rows.js';
import { DeadmanPinger } from './deadman.js';
import { buildStorageMessage, sendDirect } from './direct-page.js';
import { buildReminderContent, type ResolvedContent } from './follow-up-message.js';
import { Outbox, type DrainCounts, type OutboxLog } from './outbox.js';
import { buildSlackMessage, type PageContent, type SlackMessage } from './page-content.js';
import { DEFAULT_ROUTE, chooseRoute, resolveRoutes, type ResolvedRoute } from './routes.js';
import { StorageWatch, type StorageChange } from './storage-watch.js';

export const PAGING_DEFAULTS = {
  reminderMs: 4 * 3_600_000,
  groupWindowMs: 30_000,
  rateLimit: { count: 20, windowMs: 3_600_000 },
  storageProbeMs: 30_000,
  botTokenEnv: 'MEDIC_SLACK_BOT_TOKEN',
} as const;

/** How often open incidents are checked for a due reminder. */
const REMINDER_CHECK_MS = 10_000;

export interface PagerOptions {
  journal: Journal;
  /** `paging:` from the rules; absent: defaults, and the webhook from the environment. */
  paging?: PagingConfig;
  env: NodeJS.ProcessEnv;
  host: string;
  /** Probed for writability; the journal lives here. */
  stateDir: string;
  log: OutboxLog;
  now?: () => number;
  /** A paused rule's pages are held until the pause ends. Defaults to never paused (hook for `medic pause`). */
  isPaused?: (rule: string, at: number) => boolean;
  /** Per Slack request. Defaults to 10000 ms. */
  timeoutMs?: number;
  /** Retry schedule and jitter, for tests. */
  baseDelayMs?: number;
  random?: () => number;
  /** First delay between tries of a direct page. Defaults to 1000 ms. */
  directDelayMs?: number;
}

export type PageDecision = 'queued' | 'collapsed' | 'reminder' | 'deduplicated' | 'direct';

export class Pager {
  readonly outbox: Outbox;
  private paging: PagingConfig;
  private routes: Map<string, ResolvedRoute>;
  private deadman: DeadmanPinger | null = null;
  private readonly storage: StorageWatch;
  private readonly direct = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private drainRun: Promise<DrainCounts> | null = null;
  private lastReminderCheck = Number.NEGATIVE_INFINITY;
  private readonly log: OutboxLog;

  constructor(private readonly o: PagerOptions) {
    // Every line the pager logs passes the redactor of every route's secret.
    this.log = (level, msg, data) => o.log(level, this.outbox ? this.outbox.redactor(msg) : msg, data);
    this.paging = withDefaults(o.paging);
    this.routes = resolveRoutes(o.paging, o.env, this.routeOptions());
    this.outbox = new Outbox(o.journal, this.routes, {
      ...(o.now ? { now: o.now } : {}),
      ...(o.baseDelayMs !== undefined ? { baseDelayMs: o.baseDelayMs } : {}),
      ...(o.random ? { random: o.random } : {}),
      log: this.log,
      secrets: this.extraSecrets(),
      groupWindowMs: this.paging.groupWindowMs,
      rateLimit: this.paging.rateLimit,
      isPaused: (rule, at) => o.isPaused?.(rule, at) ?? false,
    });
    this.storage = new StorageWatch({ dir: o.stateDir, everyMs: this.paging.storageProbeMs, onChange: (change) => this.onStorageChange(change) });
    this.deadman = this.createDeadman();
  }

  /** After a reload: new routes (webhook files are read again), limits and dead-man's switch. */
  reconfigure(paging: PagingConfig | undefined): void {
    this.o.paging = paging;
    this.paging = withDefaults(paging);
    this.routes = resolveRoutes(paging, this.o.env, this.routeOptions());
    this.outbox.setPolicy({ groupWindowMs: this.paging.groupWindowMs, rateLimit: this.paging.rateLimit, secrets: this.extraSecrets() });
    this.outbox.setRoutes(this.routes);
    void this.deadman?.stop();
    this.deadman = this.createDeadman();
  }

  /** The engine decided to page. Journaled for the outbox unless it repeats a recent page of the same incident. */
  page(content: PageContent, at: number): PageDecision {
    try {
      const id = content.incidentId;
      const store = this.o.journal.pageStore;
      const route = chooseRoute(this.o.paging, content.rule, content.severity);
      const pending = id !== null ? store.pendingFor(id) : undefined;
      if (pending && !this.outbox.isInFlight(pending.id)) {
        this.outbox.enqueue(content, at, { route });
        return 'collapsed';
      }
      // A page being sent right now counts as sent: a repeat of it is a repeat.
      const latest = id !== null ? store.latestFor(id) : undefined;
      if (!latest) {
        this.outbox.enqueue(content, at, { route });
        return 'queued';
      }
      if (at - latest.createdAt < this.paging.reminderMs) {
        const next = latest.createdAt + this.paging.reminderMs;
        this.o.journal.event({ at, kind: 'page-deduplicated', incidentId: id, rule: content.rule, message: `not paging again: incident #${id} was paged ${Math.round((at - latest.createdAt) / 60_000)} min ago (page #${latest.id}); a reminder follows at ${new Date(next).toISOString()} if it stays open`, data: { pageId: latest.id, reason: content.reason } });
        return 'deduplicated';
      }
      this.enqueueReminder(latest, content, at);
      return 'reminder';
    } catch (error) {
      if (!this.noteError(error, at)) throw error;
      this.sendDirectly(buildSlackMessage(content), `page for ${content.rule} (the journal cannot be written)`);
      return 'direct';
    }
  }

  /** A paged incident cleared: the pending page says so, or a follow-up refers to the first page. */
  resolved(r: { incidentId: number | null; at: number; recovered: boolean }): void {
    if (r.incidentId === null) return;
    const store = this.o.journal.pageStore;
    const status = r.recovered ? 'recovered' : 'cleared';
    const pending = store.pendingFor(r.incidentId);
    if (pending && !this.outbox.isInFlight(pending.id)) {
      if (pending.heldReason === 'paused' || pending.kind === 'reminder') {
        store.cancel(pending.id, r.at, `incident #${r.incidentId} ${status} before this ${pending.kind} went out`);
        this.o.journal.event({ at: r.at, kind: 'page-cancelled', incidentId: r.incidentId, rule: pending.rule, message: `${pending.kind} #${pending.id} not sent: the incident is ${status}`, data: { pageId: pending.id } });
      } else {
        // Not sent yet (grouping window, Slack down, rate limit): one message will say both.
        const content = { ...(pending.payload as PageContent), resolved: { at: r.at, status } };
        this.o.journal.replacePagePayload(pending.id, r.at, content);
        this.o.journal.event({ at: r.at, kind: 'page-collapsed', incidentId: r.incidentId, rule: pending.rule, message: `page #${pending.id} will say the incident is ${status}: it cleared before the page went out`, data: { pageId: pending.id } });
        return;
      }
    }
    const first = store.firstSettledFor(r.incidentId) ?? (pending && this.outbox.isInFlight(pending.id) ? pending : undefined);
    if (!first) return;
    const page = first.payload as PageContent;
    const resolved: ResolvedContent = { host: page.host, rule: page.rule, severity: page.severity, incidentId: r.incidentId, since: page.since, resolvedAt: r.at, status, pagedAt: first.createdAt };
    this.outbox.enqueueResolved(resolved, r.at, first.route ?? DEFAULT_ROUTE);
  }

  /** After each tick that completed: storage probe, reminders, dead-man's switch, drain (its result). */
  afterTick(at: number): Promise<DrainCounts> {
    this.storage.probe(at);
    try {
      this.remind(at);
    } catch (error) {
      if (!this.noteError(error, at)) throw error;
    }
    this.deadman?.afterTick(at);
    return this.drain(at);
  }

  /** Sends what is due; never throws (failures are logged). Resolves when this drain is done. */
  drain(at: number): Promise<DrainCounts> {
    const run = this.outbox.drain(at).catch((error: unknown) => {
      if (!this.noteError(error, at)) this.log('error', `paging failed: ${error instanceof Error ? error.message : String(error)}`);
      return { sent: 0, retried: 0, failed: 0, noWebhook: 0, held: 0, rerouted: 0 };
    });
    this.drainRun = run;
    return run;
  }

  /** A journal write failed: true when it is a storage problem (then on-call is paged directly, once). */
  noteError(error: unknown, at: number): boolean {
    return this.storage.noteError(error, at);
  }

  get storageWritable(): boolean {
    return this.storage.writable;
  }

  /** Waits for the drain in progress and the dead-man's ping; direct pages still retrying are given up. */
  async stop(): Promise<void> {
    await this.outbox.stop();
    await this.drainRun;
    await this.deadman?.stop();
    this.abort.abort();
    await Promise.allSettled([...this.direct]);
  }

  private remind(at: number): void {
    if (at - this.lastReminderCheck < Math.min(REMINDER_CHECK_MS, this.paging.reminderMs)) return;
    this.lastReminderCheck = at;
    const store = this.o.journal.pageStore;
    for (const incident of store.pagedOpenIncidents()) {
      if (at - incident.lastPageAt < this.paging.reminderMs) continue;
      const latest = store.latestFor(incident.incidentId);
      if (latest) this.enqueueReminder(latest, latest.payload as PageContent, at);
    }
  }

  private enqueueReminder(latest: PageRow, content: PageContent, at: number): void {
    const previous = latest.payload as PageContent;
    const count = (previous.reminder?.count ?? 0) + 1;
    const firstPagedAt = previous.reminder?.firstPagedAt ?? latest.createdAt;
    const { reminder: _r, resolved: _s, note: _n, ...base } = content;
    this.outbox.enqueue(buildReminderContent(base, at, count, firstPagedAt), at, { route: latest.route ?? DEFAULT_ROUTE, kind: 'reminder' });
  }

  private onStorageChange(change: StorageChange): void {
    const message = buildStorageMessage(change, this.o.host, this.o.stateDir);
    if (change.writable) {
      this.log('info', `medic can write its state again after ${Math.round((change.at - change.since) / 1000)} s`, { stateDir: this.o.stateDir });
      try {
        this.o.journal.event({ at: change.at, kind: 'storage-recovered', message: `state folder writable again; it was not from ${new Date(change.since).toISOString()}: ${change.detail}` });
      } catch {
        // Still failing after all: the next tick will notice again.
      }
    } else {
      this.log('error', `medic cannot write its state folder: ${change.detail}; paging on-call directly`, { stateDir: this.o.stateDir });
    }
    this.sendDirectly(message, change.writable ? 'storage recovered' : 'storage unwritable');
  }

  /** From memory, to the default route (or the first route that can send), logged either way. */
  private sendDirectly(message: SlackMessage, what: string): void {
    const route = [this.routes.get(DEFAULT_ROUTE), ...this.routes.values()].find((r) => r?.sender);
    const redact = this.outbox.redactor;
    if (!route?.sender) {
      this.log('error', `no Slack route can send the direct page (${what})`, { text: redact(message.text) });
      return;
    }
    const sending = sendDirect(route.sender, message, { signal: this.abort.signal, ...(this.o.directDelayMs !== undefined ? { initialDelayMs: this.o.directDelayMs } : {}) }).then((result) => {
      if (result.kind === 'sent') this.log('warn', `direct page sent (${what})`, { route: route.name, text: redact(message.text) });
      else this.log('error', `direct page not sent (${what}): ${redact(result.reason)}`, { route: route.name, text: redact(message.text) });
    });
    this.direct.add(sending);
    void sending.finally(() => this.direct.delete(sending));
  }

  private createDeadman(): DeadmanPinger | null {
    const spec = this.paging.deadman;
    if (!spec) return null;
    const url = this.o.env[spec.urlEnv]?.trim();
    if (!url) {
      this.log('error', `dead-man switch off: environment variable ${spec.urlEnv} is not set`);
      return null;
    }
    return new DeadmanPinger({ url, everyMs: spec.everyMs, method: spec.method, host: this.o.host, ...(this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {}), log: this.log });
  }

  /** The dead-man's URL is a secret too (it holds the check's id). */
  private extraSecrets(): string[] {
    const url = this.paging.deadman ? this.o.env[this.paging.deadman.urlEnv]?.trim() : undefined;
    return url ? [url] : [];
  }

  private routeOptions() {
    return this.o.timeoutMs ? { timeoutMs: this.o.timeoutMs } : {};
  }
}

export function withDefaults(paging: PagingConfig | undefined): PagingConfig {
  return paging ?? { routes: [], botTokenEnv: PAGING_DEFAULTS.botTokenEnv, reminderMs: PAGING_DEFAULTS.reminderMs, groupWindowMs: PAGING_DEFAULTS.groupWindowMs, rateLimit: { ...PAGING_DEFAULTS.rateLimit }, storageProbeMs: PAGING_DEFAULTS.storageProbeMs };
}
