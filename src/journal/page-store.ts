// The outbox's queries beyond the basic queue: message kinds, grouping, holds, Slack message ids,
// the hourly page count and each route's health. Times are epoch ms.
import type Database from 'better-sqlite3';
import { toJson, toPageRow } from './rows.js';
import type { PageKind, PageRow } from './rows.js';

type Raw = Record<string, unknown>;

/** `ok` until a send fails; `rejected` after a permanent answer; `misconfigured` when the webhook cannot be read. */
export type RouteStatus = 'ok' | 'failing' | 'rejected' | 'misconfigured' | 'unconfigured';

export interface RouteHealth {
  route: string;
  status: RouteStatus;
  detail: string | null;
  /** When the route entered this status. */
  since: number;
  updatedAt: number;
}

/** An open incident that was paged, and when its newest page or reminder was written. */
export interface PagedIncident {
  incidentId: number;
  rule: string;
  lastPageAt: number;
  lastPageId: number;
  reminders: number;
}

export interface NewPage {
  incidentId: number | null;
  rule: string;
  at: number;
  payload: unknown;
  route: string;
  kind: PageKind;
  /** First try; later than `at` while a grouping window is open. */
  dueAt: number;
}

export interface SlackRef {
  channel: string;
  ts: string;
}

const PAGING_KINDS = `('page', 'reminder')`;

export class PageStore {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    const p = (text: string) => db.prepare(text);
    this.sql = {
      insert: p(`INSERT INTO pages (incident_id, rule, created_at, status, attempts, next_attempt_at, updated_at, payload_json, route, kind)
        VALUES (@incidentId, @rule, @at, 'pending', 0, @dueAt, @at, @payload, @route, @kind)`),
      pending: p(`SELECT * FROM pages WHERE status = 'pending' ORDER BY created_at, id LIMIT ?`),
      pendingFor: p(`SELECT * FROM pages WHERE status = 'pending' AND incident_id = ? AND kind IN ${PAGING_KINDS} ORDER BY id DESC LIMIT 1`),
      latestFor: p(`SELECT * FROM pages WHERE incident_id = ? AND kind IN ${PAGING_KINDS} ORDER BY created_at DESC, id DESC LIMIT 1`),
      firstRefFor: p(`SELECT * FROM pages WHERE incident_id = ? AND kind IN ${PAGING_KINDS} AND slack_ts IS NOT NULL ORDER BY sent_at, id LIMIT 1`),
      firstSentFor: p(`SELECT * FROM pages WHERE incident_id = ? AND kind IN ${PAGING_KINDS} AND status NOT IN ('pending', 'cancelled') ORDER BY created_at, id LIMIT 1`),
      markSent: p(`UPDATE pages SET status = 'sent', attempts = attempts + 1, sent_at = @at, updated_at = @at, batch_id = @batchId,
        held_reason = NULL, slack_channel = @channel, slack_ts = @ts WHERE id = @id`),
      markRetry: p(`UPDATE pages SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next, updated_at = @at WHERE id = @id`),
      markFailed: p(`UPDATE pages SET status = 'failed', attempts = attempts + 1, last_error = @error, updated_at = @at, batch_id = @batchId WHERE id = @id`),
      markNoWebhook: p(`UPDATE pages SET status = 'no-webhook', updated_at = @at, batch_id = @batchId WHERE id = @id`),
      cancel: p(`UPDATE pages SET status = 'cancelled', last_error = @reason, updated_at = @at WHERE id = @id AND status = 'pending'`),
      hold: p(`UPDATE pages SET held_reason = @reason, updated_at = @at WHERE id = @id`),
      reroute: p(`UPDATE pages SET route = @route, attempts = 0, next_attempt_at = @at, last_error = @error, payload_json = @payload, updated_at = @at WHERE id = @id`),
      defer: p(`UPDATE pages SET next_attempt_at = @until, updated_at = @at WHERE status = 'pending' AND COALESCE(route, 'default') = @route AND next_attempt_at < @until`),
      sentMessages: p(`SELECT COUNT(DISTINCT COALESCE(batch_id, id)) AS n, MIN(sent_at) AS oldest FROM pages
        WHERE status = 'sent' AND kind IN ${PAGING_KINDS} AND sent_at > ?`),
      pagedOpen: p(`SELECT p.incident_id AS incident_id, i.rule AS rule, MAX(p.created_at) AS last_at, MAX(p.id) AS last_id,
          SUM(p.kind = 'reminder') AS reminders
        FROM pages p JOIN incidents i ON i.id = p.incident_id
        WHERE i.status = 'open' AND p.kind IN ${PAGING_KINDS}
        GROUP BY p.incident_id
        HAVING SUM(p.status = 'pending') = 0`),
      batchSize: p(`SELECT COUNT(*) AS n FROM pages WHERE batch_id = ?`),
      health: p(`SELECT * FROM pager_routes ORDER BY route`),
      healthOf: p(`SELECT * FROM pager_routes WHERE route = ?`),
      upsertHealth: p(`INSERT INTO pager_routes (route, status, detail, since, updated_at) VALUES (@route, @status, @detail, @at, @at)
        ON CONFLICT (route) DO UPDATE SET detail = excluded.detail, updated_at = excluded.updated_at,
          since = CASE WHEN pager_routes.status = excluded.status THEN pager_routes.since ELSE excluded.since END,
          status = excluded.status`),
      forgetHealth: p(`DELETE FROM pager_routes WHERE route = ?`),
    };
  }

  enqueue(page: NewPage): number {
    const row = { ...page, payload: toJson(page.payload) ?? 'null' };
    return Number(this.sql.insert.run(row).lastInsertRowid);
  }

  /** Every pending page, oldest first. */
  pending(limit = 1000): PageRow[] {
    return this.rows(this.sql.pending.all(limit));
  }

  /** The incident's page or reminder still waiting to be sent, if any. */
  pendingFor(incidentId: number): PageRow | undefined {
    return this.row(this.sql.pendingFor.get(incidentId));
  }

  /** The incident's newest page or reminder, whatever became of it. */
  latestFor(incidentId: number): PageRow | undefined {
    return this.row(this.sql.latestFor.get(incidentId));
  }

  /** The incident's first settled page (sent, failed, ...): what a resolved follow-up refers to. */
  firstSettledFor(incidentId: number): PageRow | undefined {
    return this.row(this.sql.firstSentFor.get(incidentId));
  }

  /** The first Slack message posted for the incident with a bot token, to thread under. */
  firstRefFor(incidentId: number): SlackRef | undefined {
    const row = this.row(this.sql.firstRefFor.get(incidentId));
    return row?.slackChannel && row.slackTs ? { channel: row.slackChannel, ts: row.slackTs } : undefined;
  }

  markSent(ids: readonly number[], at: number, ref?: SlackRef): void {
    const batchId = ids[0] ?? null;
    this.each(ids, (id) => this.sql.markSent.run({ id, at, batchId, channel: ref?.channel ?? null, ts: ref?.ts ?? null }));
  }

  markRetry(ids: readonly number[], at: number, error: string, next: number): void {
    this.each(ids, (id) => this.sql.markRetry.run({ id, at, error, next }));
  }

  markFailed(ids: readonly number[], at: number, error: string): void {
    const batchId = ids[0] ?? null;
    this.each(ids, (id) => this.sql.markFailed.run({ id, at, error, batchId }));
  }

  markNoWebhook(ids: readonly number[], at: number): void {
    const batchId = ids[0] ?? null;
    this.each(ids, (id) => this.sql.markNoWebhook.run({ id, at, batchId }));
  }

  cancel(id: number, at: number, reason: string): boolean {
    return this.sql.cancel.run({ id, at, reason }).changes > 0;
  }

  /** Holds a pending page back (`paused`, `rate-limit`), or releases it with null. */
  hold(id: number, reason: string | null, at: number): void {
    this.sql.hold.run({ id, reason, at });
  }

  /** Moves a page to another route as a fresh page, with new content saying why. */
  reroute(id: number, route: string, at: number, error: string, payload: unknown): void {
    this.sql.reroute.run({ id, route, at, error, payload: toJson(payload) ?? 'null' });
  }

  /** Holds the route's pending pages until at least `until`, so none overtakes the one being retried. */
  deferRoute(route: string, until: number, at: number): number {
    return this.sql.defer.run({ route, until, at }).changes;
  }

  /** How many pages went out in one message. */
  batchSize(batchId: number): number {
    return (this.sql.batchSize.get(batchId) as { n: number }).n;
  }

  /** Slack messages that paged someone (pages and reminders, a group counting once) sent after `since`. */
  sentMessagesSince(since: number): { count: number; oldestAt: number | null } {
    const row = this.sql.sentMessages.get(since) as { n: number; oldest: number | null };
    return { count: row.n, oldestAt: row.oldest };
  }

  /** Open incidents that were paged and have nothing pending: candidates for a reminder. */
  pagedOpenIncidents(): PagedIncident[] {
    return (this.sql.pagedOpen.all() as Raw[]).map((r) => ({
      incidentId: Number(r.incident_id),
      rule: String(r.rule),
      lastPageAt: Number(r.last_at),
      lastPageId: Number(r.last_id),
      reminders: Number(r.reminders ?? 0),
    }));
  }

  setRouteHealth(route: string, status: RouteStatus, detail: string | null, at: number): void {
    this.sql.upsertHealth.run({ route, status, detail, at });
  }

  routeHealth(route?: string): RouteHealth[] {
    const rows = route === undefined ? this.sql.health.all() : [this.sql.healthOf.get(route)].filter(Boolean);
    return (rows as Raw[]).map((r) => ({
      route: String(r.route),
      status: r.status as RouteStatus,
      detail: r.detail === null ? null : String(r.detail),
      since: Number(r.since),
      updatedAt: Number(r.updated_at),
    }));
  }

  /** A route no longer in the rules leaves no stale health behind. */
  forgetRoute(route: string): void {
    this.sql.forgetHealth.run(route);
  }

  private each(ids: readonly number[], run: (id: number) => unknown): void {
    this.db.transaction(() => ids.forEach(run))();
  }

  private rows(raw: unknown[]): PageRow[] {
    return (raw as Raw[]).map(toPageRow);
  }

  private row(raw: unknown): PageRow | undefined {
    return raw ? toPageRow(raw as Raw) : undefined;
  }
}
