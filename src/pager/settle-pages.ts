// How the outbox settles pages that will not be sent as they are: moved to the default route,
// failed for good, expired, or only logged (no webhook). Each is journaled; the route's first
// failure is the one error line (route-health.ts), the pages behind it are warnings.
import type { Journal } from '../journal/journal.js';
import type { PageStore } from '../journal/page-store.js';
import type { PageRow } from '../journal/rows.js';
import { buildSlackMessage, type PageContent } from './page-content.js';
import type { RouteHealthTracker } from './route-health.js';
import { DEFAULT_ROUTE, type ResolvedRoute } from './routes.js';

export type SettleLog = (level: 'info' | 'warn' | 'error', msg: string, data?: object) => void;

export class PageSettler {
  constructor(
    private readonly store: PageStore,
    private readonly journal: Journal,
    private readonly health: RouteHealthTracker,
    private readonly routes: () => ReadonlyMap<string, ResolvedRoute>,
    private readonly log: SettleLog,
  ) {}

  /**
   * Permanent: a page on a route of its own goes to the default route instead, saying why;
   * otherwise it is journaled as failed and never tried again.
   */
  reject(routeName: string, batch: PageRow[], at: number, reason: string, status: 'rejected' | 'misconfigured'): 'rerouted' | 'failed' {
    this.health.note(routeName, status, reason, at);
    if (routeName !== DEFAULT_ROUTE && this.routes().get(DEFAULT_ROUTE)?.sender) {
      for (const page of batch) {
        const note = `route ${routeName} could not deliver this page (${reason}); sent to the default route instead`;
        const payload = page.kind === 'resolved' ? page.payload : { ...(page.payload as PageContent), note };
        this.store.reroute(page.id, DEFAULT_ROUTE, at, reason, payload);
        this.journal.event({ at, kind: 'page-rerouted', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} moved to the default route: ${reason}`, data: { pageId: page.id, from: routeName } });
      }
      return 'rerouted';
    }
    this.fail(batch, at, reason, 'warn');
    return 'failed';
  }

  /** Pages unsent for maxAgeMs fail; the rest are returned. */
  expire(batch: PageRow[], at: number, maxAgeMs: number): PageRow[] {
    const live = batch.filter((p) => at - p.createdAt <= maxAgeMs);
    for (const page of batch.filter((p) => !live.includes(p))) {
      this.fail([page], at, `expired: not sent within ${Math.round(maxAgeMs / 60_000)} min after ${page.attempts} attempts (last error: ${page.lastError ?? 'none'})`, 'error');
    }
    return live;
  }

  fail(batch: PageRow[], at: number, error: string, level: 'warn' | 'error'): void {
    this.store.markFailed(batch.map((p) => p.id), at, error);
    for (const page of batch) {
      this.journal.event({ at, kind: 'page-failed', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} failed: ${error}`, data: { pageId: page.id } });
      this.log(level, 'page failed and will not be retried', { pageId: page.id, rule: page.rule, incidentId: page.incidentId, route: page.route ?? DEFAULT_ROUTE, reason: error });
    }
  }

  /** No webhook anywhere: journaled and logged with its text, never sent. */
  noWebhook(batch: PageRow[], at: number): 'noWebhook' {
    this.store.markNoWebhook(batch.map((p) => p.id), at);
    for (const page of batch) {
      const text = page.kind === 'resolved' ? `resolved follow-up for ${page.rule}` : buildSlackMessage(page.payload as PageContent, { delayedByMs: at - page.createdAt }).text;
      this.journal.event({ at, kind: 'page-no-webhook', incidentId: page.incidentId, rule: page.rule, message: `page #${page.id} not sent: no Slack webhook configured`, data: { pageId: page.id } });
      this.log('warn', 'no Slack webhook configured; page journaled and logged only', { pageId: page.id, rule: page.rule, incidentId: page.incidentId, text });
    }
    return 'noWebhook';
  }
}
